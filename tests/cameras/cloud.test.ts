import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { FacegateClient } from '../../shared/client/client.ts';
import { heartbeat } from '../support/edge.ts';
import { urls } from '../support/stack.ts';

const origin = new URL(urls.api).origin;
const login = (name: string) => FacegateClient.login(origin, `test:${name}-${process.pid}`);

test('a site reports its cameras and the owner gets verifiable stream tokens', async () => {
  const owner = await login('cam-owner');
  const created = await owner.post('/v1/sites', { name: 'Front office' });
  assert.equal(created.status, 201);
  const { siteId, edgeKey } = created.body;
  assert.match(edgeKey, /^fgek_/);

  const listed = await owner.get('/v1/sites');
  assert.equal(listed.status, 200);
  const site = listed.body.items.find((s: { siteId: string }) => s.siteId === siteId);
  assert.equal(site.name, 'Front office');
  assert.ok(!JSON.stringify(listed.body).includes(edgeKey), 'the edge key is shown only once');

  const publicUrl = 'https://front-office.example.test';
  const report = {
    siteId,
    publicUrl,
    cameras: [{ cameraId: 'lobby', name: 'Lobby', status: 'online', width: 640, fps: 15 }],
  };
  assert.equal((await heartbeat('fgek_wrong', report)).status, 401);
  const beat = await heartbeat(edgeKey, report);
  assert.equal(beat.status, 200);

  const cameras = await owner.get('/v1/cameras');
  assert.equal(cameras.status, 200);
  const lobby = cameras.body.items.find((c: { cameraId: string }) => c.cameraId === 'lobby');
  assert.equal(lobby.status, 'online');
  assert.equal(lobby.siteId, siteId);
  assert.ok(Date.parse(lobby.lastSeenAt) > Date.now() - 60_000);

  const issued = await owner.post('/v1/cameras/lobby/stream-token', { ttlSeconds: 60 });
  assert.equal(issued.status, 200);
  const stream = new URL(issued.body.streamUrl);
  assert.equal(stream.origin + stream.pathname, `${publicUrl}/cameras/lobby/stream.mjpeg`);
  assert.ok(issued.body.snapshotUrl.startsWith(`${publicUrl}/cameras/lobby/snapshot.jpg?token=`));

  const jwks = await (await fetch(`${urls.api}/.well-known/jwks.json`)).json();
  const { payload, protectedHeader } = await jwtVerify(
    stream.searchParams.get('token')!,
    createLocalJWKSet(jwks),
    {
      audience: siteId,
      subject: 'lobby',
    },
  );
  assert.equal(protectedHeader.alg, 'ES256');
  assert.ok(payload.exp! - Math.floor(Date.now() / 1000) <= 60);

  assert.equal((await owner.post('/v1/cameras/lobby/stream-token', { ttlSeconds: 5 })).status, 400);
  assert.equal((await owner.post('/v1/cameras/nope/stream-token', {})).status, 404);

  const stranger = await login('cam-stranger');
  assert.equal((await stranger.post('/v1/cameras/lobby/stream-token', {})).status, 404);
  assert.equal((await stranger.delete(`/v1/sites/${siteId}`)).status, 404);
  assert.equal((await stranger.get('/v1/cameras')).body.items.length, 0);

  assert.equal((await owner.delete(`/v1/sites/${siteId}`)).status, 204);
  assert.equal((await heartbeat(edgeKey, report)).status, 401, 'deleting a site revokes its key');
  assert.equal((await owner.get('/v1/cameras')).body.items.length, 0);
});

test('heartbeats are validated', async () => {
  const res = await heartbeat('fgek_x', { siteId: 's', publicUrl: 'ftp://nope', cameras: 'x' });
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.ok(body.error.details.fields.publicUrl);
  assert.ok(body.error.details.fields.cameras);
});
