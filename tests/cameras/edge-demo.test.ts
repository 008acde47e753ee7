import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { FacegateClient } from '../../shared/client/client.ts';
import { urls } from '../support/stack.ts';

// The stack's streamer demo (scripts/stack/edge-demo.ts) runs a real edge-streamer in front of the
// GStreamer RTSP test camera, registered to the demo user's site.
const origin = new URL(urls.api).origin;

test('the streamer heartbeats to the API, and an API token opens its stream', async () => {
  const demo = await FacegateClient.login(origin, 'test:demo');
  let camera: { cameraId: string; status: string; siteId: string } | undefined;
  for (let i = 0; i < 60 && camera?.status !== 'online'; i++) {
    const res = await demo.get('/v1/cameras');
    camera = res.body.items.find((c: { cameraId: string }) => c.cameraId === 'demo');
    if (camera?.status !== 'online') await new Promise((r) => setTimeout(r, 1000));
  }
  assert.equal(camera?.status, 'online', 'the demo camera reports online through heartbeats');

  const issued = await demo.post('/v1/cameras/demo/stream-token', { ttlSeconds: 60 });
  assert.equal(issued.status, 200);
  assert.ok(issued.body.snapshotUrl.startsWith(`${urls.edge}/cameras/demo/snapshot.jpg?token=`));

  const snapshot = await fetch(issued.body.snapshotUrl);
  assert.equal(snapshot.status, 200);
  const meta = await sharp(Buffer.from(await snapshot.arrayBuffer())).metadata();
  assert.equal(meta.format, 'jpeg');
  assert.equal(meta.width, 640);

  const forged = issued.body.snapshotUrl.replace(/token=([^.]+)\.([^.]+)\.(.+)$/, 'token=$1.$2.AAAA');
  assert.equal((await fetch(forged)).status, 401);

  const stranger = await FacegateClient.login(origin, `test:edge-stranger-${process.pid}`);
  assert.equal((await stranger.post('/v1/cameras/demo/stream-token', {})).status, 404);
});
