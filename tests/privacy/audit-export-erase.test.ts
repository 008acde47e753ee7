import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { FacegateClient } from '../../shared/client/client.ts';
import { apiEnv, localDynamoDB, localRedis, localS3, urls } from '../support/stack.ts';
import { fixtureBase64 } from '../support/fixtures.ts';
import { heartbeat } from '../support/edge.ts';
import { CONSENT } from '../support/fixtures.ts';

/** Audit log, export and erasure over HTTP, proven against what the stores really hold afterwards. */

const origin = new URL(urls.api).origin;
const login = (name: string) => FacegateClient.login(origin, `test:privacy-${name}-${process.pid}`);

async function audit(client: FacegateClient) {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const res = await client.get('/v1/me/audit', { query: { limit: 2, cursor } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    items.push(...res.body.items);
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

test('every biometric operation is audited with its outcome and request id, newest first, owner only', async () => {
  const client = await login('audit');
  const amy = fixtureBase64('amy/amy1.png');
  const detect = await client.post('/v1/faces/detect', { image: amy });
  const compare = await client.post('/v1/faces/compare', {
    a: { image: amy },
    b: { image: fixtureBase64('sheldon/sheldon1.png') },
  });
  assert.equal(compare.body.match, false);
  const noFace = await client.post('/v1/faces/detect', { image: fixtureBase64('misc/white.png') });
  const person = await client.post('/v1/persons', { consent: CONSENT, name: 'Amy' });
  const enrol = await client.post(`/v1/persons/${person.body.personId}/faces`, { image: amy });
  assert.equal(enrol.status, 201);

  const items = await audit(client);
  assert.deepEqual(
    items.map((i) => [i.action, i.result]),
    [
      ['enrol', 'enrolled'],
      ['detect', noFace.status === 200 ? 'faces:0' : noFace.body.error.code],
      ['compare', 'no_match'],
      ['detect', 'faces:1'],
    ],
  );
  assert.equal(items[3].requestId, detect.headers.get('x-request-id'));
  assert.equal(items[0].resource, `person/${person.body.personId}/face/${enrol.body.faceId}`);
  for (const item of items) assert.ok(Date.parse(item.at) > Date.now() - 600_000);

  const other = await login('audit-other');
  assert.deepEqual((await other.get('/v1/me/audit')).body.items, []);
  const badCursor = await client.get('/v1/me/audit', {
    query: { cursor: Buffer.from('PERSON#x').toString('base64url') },
  });
  assert.equal(badCursor.status, 400);
});

test('export holds everything about the caller and nothing of anyone else, without descriptors', async () => {
  const client = await login('export');
  const person = await client.post('/v1/persons', { consent: CONSENT, name: 'Penny', meta: { team: 'x' } });
  await client.post(`/v1/persons/${person.body.personId}/faces`, {
    image: fixtureBase64('penny/penny1.png'),
  });
  const other = await login('export-other');
  await other.post('/v1/persons', { consent: CONSENT, name: 'Someone else' });

  const res = await client.get('/v1/me/export');
  assert.equal(res.status, 200);
  const doc = res.body;
  assert.equal(doc.format, 'facegate-export/1');
  assert.equal(doc.userId, client.session!.userId);
  assert.deepEqual(
    doc.persons.map((p: any) => p.name),
    ['Penny'],
  );
  assert.equal(doc.faces.length, 1);
  assert.equal(doc.faces[0].personId, person.body.personId);
  assert.ok(!('descriptor' in doc.faces[0]));
  assert.ok(doc.sessions.length >= 1);
  assert.ok(doc.audit.some((e: any) => e.action === 'enrol'));
  assert.ok(!JSON.stringify(doc).includes('Someone else'));
  assert.ok(!JSON.stringify(doc).includes('wechatSessionKey'));
  assert.ok((await audit(client)).some((e) => e.action === 'export'));
});

test('after erasure no item, object or cache entry of the user remains but the erasure tombstone', async () => {
  const client = await login('erase');
  const userId = client.session!.userId;
  const image = fixtureBase64('raj/raj1.png');
  const person = await client.post('/v1/persons', { consent: CONSENT, name: 'Raj' });
  await client.post(`/v1/persons/${person.body.personId}/faces`, { image });
  await client.post('/v1/faces/detect', { image });
  await client.post('/v1/liveness/sessions', {});
  // A site that reported a camera: site, camera and presence items.
  const site = (await client.post('/v1/sites', { name: 'Erased site' })).body;
  const beat = await heartbeat(site.edgeKey, {
    siteId: site.siteId,
    publicUrl: 'https://erased.example.test',
    cameras: [{ cameraId: 'hall', name: 'Hall', status: 'online' }],
  });
  assert.equal(beat.status, 200);
  await client.get('/v1/me/export');

  const erase = await client.delete('/v1/me/data');
  assert.equal(erase.status, 204);

  const items = await localDynamoDB().send(
    new QueryCommand({
      TableName: apiEnv.TABLE_NAME,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `USER#${userId}` } },
    }),
  );
  const left = (items.Items ?? []).map((i) => i.sk!.S!);
  assert.equal(left.length, 1, `left: ${left}`);
  assert.match(left[0]!, /^AUDIT#/);
  assert.equal(
    (await heartbeat(site.edgeKey, { siteId: site.siteId, publicUrl: 'https://x.test', cameras: [] })).status,
    401,
    "the site's key is revoked",
  );
  const tombstone = (await client.get('/v1/me/audit')).body.items;
  assert.deepEqual(
    tombstone.map((i: any) => [i.action, i.resource, i.result, i.requestId]),
    [['erase', 'account', 'erased', erase.headers.get('x-request-id')]],
  );

  for (const prefix of [`users/${userId}/`, `exports/${userId}/`]) {
    const objects = await localS3().send(
      new ListObjectsV2Command({ Bucket: apiEnv.BUCKET_NAME, Prefix: prefix }),
    );
    assert.deepEqual(objects.Contents ?? [], [], prefix);
  }
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await localRedis().scan(cursor, { match: `*${userId}*`, count: 1000 });
    keys.push(...page);
    cursor = String(next);
  } while (cursor !== '0');
  // What must outlive an erasure and holds no data: quota and rate-limit counters, the gallery freshness
  // stamp, and the request nonces of the last few minutes (deleting them would reopen replays).
  const allowed = [/^rl:face:/, /^quota:/, /^gallery:.*:version$/, /^nonce:/];
  assert.deepEqual(
    keys.filter((k) => !allowed.some((a) => a.test(k))),
    [],
  );
});
