import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { invokeFunction } from '../../scripts/stack/invoke.ts';
import { FacegateClient } from '../../shared/client/client.ts';
import { presenceStore } from '../../shared/store/presence.ts';
import { cameraStore } from '../../shared/store/sites.ts';
import { dimensionsOf, emfLines } from '../support/emf.ts';
import { heartbeat } from '../support/edge.ts';
import { apiEnv, localDynamoDB, urls } from '../support/stack.ts';

/**
 * The scheduled `edgeSweep` function against the stack: a site whose heartbeats stopped is marked
 * offline with its cameras, once; a heartbeat brings it back. Instead of waiting out the 90 s, the test
 * dates the site's last heartbeat back in the table (the stack's scheduler may run the sweep too, which
 * changes nothing asserted here).
 */

const origin = new URL(urls.api).origin;
const login = (name: string) => FacegateClient.login(origin, `test:${name}-${process.pid}`);

type Item = Record<string, any>;

async function getItem(pk: string, sk: string): Promise<Item | undefined> {
  const out = await localDynamoDB().send(
    new GetItemCommand({
      TableName: apiEnv.TABLE_NAME,
      Key: { pk: { S: pk }, sk: { S: sk } },
      ConsistentRead: true,
    }),
  );
  return out.Item && unmarshall(out.Item);
}

const presenceOf = (userId: string, siteId: string) => getItem(`USER#${userId}`, `PRESENCE#${siteId}`);
const cameraOf = (userId: string, siteId: string, cameraId: string) =>
  getItem(`USER#${userId}`, `CAMERA#${siteId}#${cameraId}`);

const update = (pk: string, sk: string, expression: string, values: Record<string, string>) =>
  localDynamoDB().send(
    new UpdateItemCommand({
      TableName: apiEnv.TABLE_NAME,
      Key: { pk: { S: pk }, sk: { S: sk } },
      UpdateExpression: expression,
      ExpressionAttributeValues: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { S: v }])),
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );

/** Moves the site's last heartbeat (presence and cameras, as one heartbeat writes them) to `at`. */
async function dateLastHeartbeat(userId: string, siteId: string, cameraIds: string[], at: string) {
  await update(`USER#${userId}`, `PRESENCE#${siteId}`, 'SET lastSeenAt = :at, gsi1sk = :sk', {
    ':at': at,
    ':sk': `${at}#${siteId}`,
  });
  for (const cameraId of cameraIds)
    await update(`USER#${userId}`, `CAMERA#${siteId}#${cameraId}`, 'SET lastSeenAt = :at', { ':at': at });
}

async function newSite(client: FacegateClient, name: string) {
  const created = await client.post('/v1/sites', { name });
  assert.equal(created.status, 201);
  return created.body as { siteId: string; edgeKey: string };
}

const report = (siteId: string, status: 'online' | 'connecting') => ({
  siteId,
  publicUrl: 'https://site.example.test',
  cameras: [
    { cameraId: 'door', name: 'Door', status },
    { cameraId: 'yard', name: 'Yard', status: 'connecting' },
  ],
});

const sweep = () =>
  invokeFunction('edgeSweep') as Promise<{ silent: number; wentOffline: number; camerasOffline: number }>;

test('the edge sweep marks a silent site offline with its cameras, once, and a heartbeat brings it back', async () => {
  const owner = await login('sweep-owner');
  const other = await login('sweep-other');
  const ownerId = owner.session!.userId;
  const otherId = other.session!.userId;
  const site = await newSite(owner, 'Warehouse');
  const otherSite = await newSite(other, 'Shop');
  assert.equal((await heartbeat(site.edgeKey, report(site.siteId, 'online'))).status, 200);
  assert.equal((await heartbeat(otherSite.edgeKey, report(otherSite.siteId, 'online'))).status, 200);

  const online = await presenceOf(ownerId, site.siteId);
  assert.match(online?.gsi1pk, /^ONLINE#\d+$/, 'a heartbeat indexes the site as online');
  assert.equal(online?.gsi1sk, `${online?.lastSeenAt}#${site.siteId}`);

  const tenMinutesAgo = new Date(Date.now() - 600_000).toISOString();
  await dateLastHeartbeat(ownerId, site.siteId, ['door', 'yard'], tenMinutesAgo);
  const sweptFrom = Date.now();
  const result = await sweep();
  assert.ok(result.silent >= result.wentOffline && result.wentOffline >= 0, JSON.stringify(result));

  // Persisted, not only computed at read time.
  for (const cameraId of ['door', 'yard'])
    assert.equal((await cameraOf(ownerId, site.siteId, cameraId))?.status, 'offline', cameraId);
  const offline = await presenceOf(ownerId, site.siteId);
  assert.equal(offline?.gsi1pk, undefined, 'taken out of the index');
  assert.equal(offline?.gsi1sk, undefined);
  assert.equal(offline?.lastSeenAt, tenMinutesAgo);
  assert.ok(Date.parse(offline?.offlineSince) >= sweptFrom - 60_000, offline?.offlineSince);
  const listed = (await owner.get('/v1/cameras')).body.items;
  assert.deepEqual(listed.map((c: any) => [c.cameraId, c.status]).sort(), [
    ['door', 'offline'],
    ['yard', 'offline'],
  ]);

  // The run that marked it (this one or the stack's scheduler) wrote SitesWentOffline.
  const line = emfLines().find(
    (l) =>
      l._aws.Timestamp >= sweptFrom - 60_000 &&
      typeof l.SitesWentOffline === 'number' &&
      l.SitesWentOffline >= 1,
  );
  assert.ok(line, 'a SitesWentOffline line in api.log');
  assert.equal(line._aws.CloudWatchMetrics[0]!.Namespace, 'Facegate');
  assert.deepEqual(dimensionsOf(line), ['service']);

  // Another user's site, heard from just now, is untouched.
  assert.match((await presenceOf(otherId, otherSite.siteId))?.gsi1pk, /^ONLINE#/);
  assert.equal((await cameraOf(otherId, otherSite.siteId, 'door'))?.status, 'online');

  // The export shows since when the site is offline.
  const exported = (await owner.get('/v1/me/export')).body;
  assert.deepEqual(exported.sitePresence, [
    { siteId: site.siteId, lastSeenAt: tenMinutesAgo, offlineSince: offline?.offlineSince },
  ]);

  // A second run finds nothing to do for this site.
  await sweep();
  assert.deepEqual(await presenceOf(ownerId, site.siteId), offline);

  // A heartbeat brings the site back: indexed again, cameras as reported.
  assert.equal((await heartbeat(site.edgeKey, report(site.siteId, 'online'))).status, 200);
  const back = await presenceOf(ownerId, site.siteId);
  assert.match(back?.gsi1pk, /^ONLINE#/);
  assert.equal(back?.offlineSince, undefined);
  assert.equal((await cameraOf(ownerId, site.siteId, 'door'))?.status, 'online');
  assert.equal((await cameraOf(ownerId, site.siteId, 'yard'))?.status, 'connecting');

  // Deleting a site deletes its presence.
  assert.equal((await other.delete(`/v1/sites/${otherSite.siteId}`)).status, 204);
  assert.equal(await presenceOf(otherId, otherSite.siteId), undefined);
});

test('a heartbeat that lands after the sweep read the site wins', async () => {
  const owner = await login('sweep-race');
  const ownerId = owner.session!.userId;
  const site = await newSite(owner, 'Gate');
  assert.equal((await heartbeat(site.edgeKey, report(site.siteId, 'online'))).status, 200);
  const fresh = await presenceOf(ownerId, site.siteId);
  // The sweep's view: silent as of ten minutes ago; since then the site reported (`fresh`).
  const stale = { siteId: site.siteId, ownerId, lastSeenAt: new Date(Date.now() - 600_000).toISOString() };
  assert.equal(await presenceStore.markOffline(stale, new Date().toISOString()), false);
  assert.equal(await cameraStore.markOffline(ownerId, site.siteId, 'door', stale.lastSeenAt), false);
  assert.deepEqual(await presenceOf(ownerId, site.siteId), fresh);
  assert.equal((await cameraOf(ownerId, site.siteId, 'door'))?.status, 'online');
});

test('what a heartbeat racing a site’s deletion leaves behind is removed by the sweep, not reported', async () => {
  const owner = await login('sweep-orphan');
  const ownerId = owner.session!.userId;
  const site = await newSite(owner, 'Dock');
  assert.equal((await heartbeat(site.edgeKey, report(site.siteId, 'online'))).status, 200);
  const presence = await presenceOf(ownerId, site.siteId);
  const cameras = await cameraStore.ofSite<Item>(ownerId, site.siteId);
  assert.equal((await owner.delete(`/v1/sites/${site.siteId}`)).status, 204);
  // The racing heartbeat's writes, landing after the delete (it had passed the key check before).
  await cameraStore.putAll(ownerId, site.siteId, cameras as { cameraId: string }[]);
  await presenceStore.beat(ownerId, site.siteId, presence!.lastSeenAt);
  await dateLastHeartbeat(
    ownerId,
    site.siteId,
    ['door', 'yard'],
    new Date(Date.now() - 600_000).toISOString(),
  );

  const result = (await sweep()) as { orphansRemoved?: number };
  assert.equal(await presenceOf(ownerId, site.siteId), undefined, 'presence removed');
  assert.deepEqual(await cameraStore.ofSite(ownerId, site.siteId), [], 'cameras removed');
  // Unless the stack's scheduler got there first, this run removed it; either way it is not a site offline.
  assert.ok((result.orphansRemoved ?? 0) <= 1, JSON.stringify(result));
  assert.deepEqual((await owner.get('/v1/cameras')).body.items, []);
});
