import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FacegateClient } from '../../shared/client/client.ts';
import { urls } from '../support/stack.ts';
import { ATTACK_TYPES, simulateAttack } from '../../shared/face/antispoof/attacks.ts';
import { fixture, fixtureBase64 } from '../support/fixtures.ts';

const origin = new URL(urls.api).origin;
const login = (name: string) => FacegateClient.login(origin, `test:${name}-${process.pid}`);

test('detect returns every face, largest first, with all attributes and rate-limit headers', async () => {
  const client = await login('detect');
  const sentAt = Date.now();
  const res = await client.post('/v1/faces/detect', { image: fixtureBase64('misc/faces.jpg') });
  assert.equal(res.status, 200);
  assert.equal(res.body.faceCount, 6);
  assert.equal(res.body.cached, false);
  const areas = res.body.faces.map((f: any) => f.box.width * f.box.height);
  assert.deepEqual(
    areas,
    [...areas].sort((a, b) => b - a),
  );
  for (const face of res.body.faces) {
    assert.ok(face.score > 0 && face.score <= 1);
    for (const p of Object.values(face.landmarks) as { x: number; y: number }[]) {
      assert.ok(
        p.x >= face.box.x &&
          p.x <= face.box.x + face.box.width &&
          p.y >= face.box.y &&
          p.y <= face.box.y + face.box.height,
      );
    }
    assert.ok(['male', 'female'].includes(face.gender.value));
    assert.ok(face.age > 0 && face.age < 100);
    assert.ok(Object.keys(face.emotion.scores).length === 7);
    assert.ok(face.quality.sharpness >= 0 && face.quality.sharpness <= 1);
    assert.equal(typeof face.pose.yaw, 'number');
  }
  assert.equal(res.headers.get('x-ratelimit-limit'), '30');
  assert.equal(res.headers.get('x-ratelimit-remaining'), '29');
  // The end of the window the request was counted in: after it was sent (not necessarily after the
  // answer, which may arrive in the next minute).
  assert.ok(Number(res.headers.get('x-ratelimit-reset')) > sentAt / 1000);
});

test('an identical request is answered from the cache; fields limit the attributes', async () => {
  const client = await login('cache');
  const image = fixtureBase64('groups/bbt1.jpg');
  const first = await client.post('/v1/faces/detect', { image, maxFaces: 2 });
  assert.equal(first.body.cached, false);
  assert.equal(first.body.faceCount, 2);
  const again = await client.post('/v1/faces/detect', {
    image: `data:image/jpeg;base64,${image}`,
    maxFaces: 2,
    fields: ['age'],
  });
  assert.equal(again.status, 200);
  assert.equal(again.body.cached, true);
  assert.deepEqual(Object.keys(again.body.faces[0]).sort(), ['age', 'box', 'score']);
  assert.deepEqual(
    again.body.faces.map((f: any) => f.box),
    first.body.faces.map((f: any) => f.box),
  );
  const other = await login('cache-other');
  assert.equal(
    (await other.post('/v1/faces/detect', { image, maxFaces: 2 })).body.cached,
    false,
    'caches are per user',
  );
});

test('compare matches the same person and not two different people', async () => {
  const client = await login('compare');
  const same = await client.post('/v1/faces/compare', {
    a: { image: fixtureBase64('sheldon/sheldon1.png') },
    b: { image: fixtureBase64('sheldon/sheldon3.png') },
  });
  assert.equal(same.status, 200);
  assert.equal(same.body.match, true);
  assert.ok(same.body.similarity >= same.body.threshold);
  assert.ok(same.body.faceA.box.width > 0 && same.body.faceB.box.width > 0);
  const different = await client.post('/v1/faces/compare', {
    a: { image: fixtureBase64('sheldon/sheldon1.png') },
    b: { image: fixtureBase64('penny/penny1.png') },
  });
  assert.equal(different.body.match, false);
  assert.ok(different.body.similarity < different.body.threshold);
  assert.equal(same.body.matchLevel, 'NORMAL');
  assert.equal(same.body.falseMatchRate, 1e-3);
});

test('match levels move the threshold with the stated false-match rate', async () => {
  const client = await login('levels');
  const pair = { a: { image: fixtureBase64('amy/amy1.png') }, b: { image: fixtureBase64('amy/amy3.png') } };
  const levels: Record<string, { threshold: number; falseMatchRate: number }> = {};
  for (const matchLevel of ['LOW', 'NORMAL', 'HIGH']) {
    const res = await client.post('/v1/faces/compare', { ...pair, matchLevel });
    assert.equal(res.status, 200);
    assert.equal(res.body.matchLevel, matchLevel);
    assert.equal(res.body.match, res.body.similarity >= res.body.threshold);
    levels[matchLevel] = res.body;
  }
  assert.ok(
    levels.LOW!.threshold < levels.NORMAL!.threshold && levels.NORMAL!.threshold < levels.HIGH!.threshold,
  );
  assert.deepEqual(
    Object.values(levels).map((l) => l.falseMatchRate),
    [1e-2, 1e-3, 1e-4],
  );
  const bad = await client.post('/v1/faces/compare', { ...pair, matchLevel: 'MEDIUM' });
  assert.equal(bad.status, 400);
});

test('compare without a face in one image answers 422 NO_FACE naming which', async () => {
  const client = await login('compare-noface');
  const res = await client.post('/v1/faces/compare', {
    a: { image: fixtureBase64('amy/amy1.png') },
    b: { image: fixtureBase64('misc/white.png') },
  });
  assert.equal(res.status, 422);
  assert.equal(res.body.error.code, 'NO_FACE');
  assert.equal(res.body.error.details.which, 'b');
});

test('passive liveness passes a genuine photo and refuses simulated recaptures of it', async () => {
  const client = await login('liveness-pad');
  const genuine = fixture('expressions/happy.jpg');
  const live = await client.post('/v1/faces/liveness', { image: genuine.toString('base64') });
  assert.equal(live.status, 200);
  assert.equal(live.body.live, true, JSON.stringify(live.body));
  for (const attack of ATTACK_TYPES) {
    const image = (await simulateAttack(attack, genuine, 1)).toString('base64');
    const res = await client.post('/v1/faces/liveness', { image });
    assert.equal(res.status, 200);
    assert.equal(res.body.live, false, `${attack}: ${res.body.score}`);
  }
});

test('liveness scores the face and refuses a byte-identical replay', async () => {
  const client = await login('liveness');
  const image = fixtureBase64('misc/face2.png');
  const res = await client.post('/v1/faces/liveness', { image, level: 'LOW' });
  assert.equal(res.status, 200);
  assert.equal(typeof res.body.live, 'boolean');
  assert.ok(res.body.score >= 0 && res.body.score <= 1);
  assert.equal(res.body.level, 'LOW');
  assert.ok(res.body.face.box.width > 0);
  const replay = await client.post('/v1/faces/liveness', { image, level: 'LOW' });
  assert.equal(replay.status, 409);
  assert.equal(replay.body.error.code, 'LIVENESS_REPLAY');
  const blank = await client.post('/v1/faces/liveness', { image: fixtureBase64('misc/white.png') });
  assert.equal(blank.status, 422);
  assert.equal(blank.body.error.code, 'NO_FACE');
});
