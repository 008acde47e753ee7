import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { FacegateClient } from '../../shared/client/client.ts';
import { localRedis, urls } from '../support/stack.ts';
import { CONSENT, fixture, fixtureBase64 } from '../support/fixtures.ts';
import { challengeFrames, FacePuppet } from '../support/face-puppet.ts';

/**
 * Active liveness sessions over HTTP: the challenge, the session's life cycle (single use, expiry, owner),
 * the rejection of bursts no live person produces, and binding a passed session to later decisions.
 * Bursts that must pass are rendered from real fixture faces by tests/support/face-puppet.ts.
 */

const origin = new URL(urls.api).origin;
const login = (name: string) => FacegateClient.login(origin, `test:liveness-${name}-${process.pid}`);

/** A fixture face on a 640x480 camera-like frame at an offset, as JPEG. */
async function framed(face: string, dx = 0, dy = 0): Promise<Buffer> {
  const crop = await sharp(fixture(face)).resize(300, 300).toBuffer();
  return sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 120, g: 130, b: 140 } } })
    .composite([{ input: crop, left: 170 + dx, top: 90 + dy }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

const burst = (images: Buffer[], step = 200) =>
  images.map((image, i) => ({ image: image.toString('base64'), t: i * step }));

async function start(client: FacegateClient, level?: string) {
  const res = await client.post('/v1/liveness/sessions', level ? { level } : {});
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

const verify = (client: FacegateClient, sessionId: string, frames: unknown[]) =>
  client.post(`/v1/liveness/sessions/${sessionId}/verify`, { frames });

test('a session asks for 2-3 distinct random actions and expires in 120 s', async () => {
  const client = await login('create');
  const seen = new Set<string>();
  for (const level of ['LOW', 'NORMAL', 'HIGH']) {
    const body = await start(client, level);
    assert.match(body.sessionId, /^lv_/);
    assert.equal(body.level, level);
    assert.equal(body.maxFrames, 30);
    const { actions } = body.challenge;
    assert.equal(actions.length, level === 'HIGH' ? 3 : 2);
    assert.equal(new Set(actions).size, actions.length);
    actions.forEach((a: string) => seen.add(a));
    const ttl = Date.parse(body.expiresAt) - Date.now();
    assert.ok(ttl > 100_000 && ttl <= 120_000, `expires in ${ttl} ms`);
  }
  for (let i = 0; i < 6; i++) (await start(client)).challenge.actions.forEach((a: string) => seen.add(a));
  assert.ok(seen.size >= 4, `actions vary between sessions: ${[...seen]}`);
  const bad = await client.post('/v1/liveness/sessions', { level: 'EXTREME' });
  assert.equal(bad.status, 400);
});

test('one still photo, repeated or slightly shifted, is not live', async () => {
  const client = await login('static');
  const still = await framed('amy/amy2.png');
  const repeated = await verify(client, (await start(client)).sessionId, burst(Array(8).fill(still)));
  assert.equal(repeated.status, 200, JSON.stringify(repeated.body));
  assert.equal(repeated.body.live, false);
  assert.equal(repeated.body.score, 0);
  assert.ok(repeated.body.reasons.includes('DUPLICATE_FRAMES'), repeated.body.reasons);
  assert.ok(repeated.body.reasons.includes('STATIC_SEQUENCE'), repeated.body.reasons);

  const shifted = await Promise.all(
    [0, 1, 2, 3, 4, 5, 6, 7].map((i) => framed('amy/amy2.png', i * 3, i % 2)),
  );
  const moved = await verify(client, (await start(client)).sessionId, burst(shifted));
  assert.equal(moved.status, 200);
  assert.equal(moved.body.live, false);
  assert.ok(moved.body.reasons.includes('STATIC_SEQUENCE'), moved.body.reasons);
  assert.ok(moved.body.reasons.includes('ACTION_MISSING'), moved.body.reasons);
  assert.equal(moved.body.referenceFace.frame >= 0, true);
});

test('frames of two different people are FACE_CHANGED; a frame without a face is NO_FACE', async () => {
  const client = await login('changed');
  const people = ['sheldon/sheldon1.png', 'penny/penny2.png'];
  const frames = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => framed(people[i % 2]!, i * 4, 0)));
  const res = await verify(client, (await start(client)).sessionId, burst(frames));
  assert.equal(res.status, 200);
  assert.equal(res.body.live, false);
  assert.ok(res.body.reasons.includes('FACE_CHANGED'), res.body.reasons);

  const blank = await sharp(fixture('misc/white.png')).resize(640, 480).jpeg().toBuffer();
  const faceless = await verify(
    client,
    (await start(client)).sessionId,
    burst([blank, await framed('raj/raj1.png'), await framed('raj/raj1.png', 5)]),
  );
  assert.ok(faceless.body.reasons.includes('NO_FACE'), faceless.body.reasons);
});

test('impossible timestamps are TIMING', async () => {
  const client = await login('timing');
  const frames = await Promise.all([0, 1, 2, 3].map((i) => framed('howard/howard1.png', i * 4)));
  const backwards = burst(frames).map((f, i) => ({ ...f, t: [0, 400, 300, 800][i]! }));
  const res = await verify(client, (await start(client)).sessionId, backwards);
  assert.ok(res.body.reasons.includes('TIMING'), res.body.reasons);
  const future = burst(frames, 60_000); // 3 minutes of frames from a session made a moment ago
  const late = await verify(client, (await start(client)).sessionId, future);
  assert.ok(late.body.reasons.includes('TIMING'), late.body.reasons);
});

test('a session verifies once (409), not after expiry (410), and never for another user (404)', async () => {
  const client = await login('lifecycle');
  const frames = burst(await Promise.all([0, 1, 2].map((i) => framed('leonard/leonard1.png', i * 5))));
  const { sessionId } = await start(client);
  const other = await login('lifecycle-other');
  const foreign = await verify(other, sessionId, frames);
  assert.equal(foreign.status, 404);
  assert.equal(foreign.body.error.code, 'NOT_FOUND');

  assert.equal((await verify(client, sessionId, frames)).status, 200);
  const again = await verify(client, sessionId, frames);
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'SESSION_USED');

  // Time travel: the session record says it expired a second ago.
  const late = await start(client);
  const key = `liveness:session:${client.session!.userId}:${late.sessionId}`;
  const record = (await localRedis().get<Record<string, unknown>>(key))!;
  await localRedis().set(key, JSON.stringify({ ...record, expiresAt: Date.now() - 1000 }), { ex: 600 });
  const expired = await verify(client, late.sessionId, frames);
  assert.equal(expired.status, 410);
  assert.equal(expired.body.error.code, 'SESSION_EXPIRED');

  assert.equal((await verify(client, 'lv_unknown', frames)).status, 404);
});

test('bad frames are refused before the session is used', async () => {
  const client = await login('bad-frames');
  const { sessionId } = await start(client);
  const good = burst(await Promise.all([0, 1, 2].map((i) => framed('penny/penny1.png', i * 5))));
  const tooFew = await verify(client, sessionId, good.slice(0, 2));
  assert.equal(tooFew.status, 400);
  const notImage = await verify(client, sessionId, [...good.slice(0, 2), { image: 'aGVsbG8=', t: 500 }]);
  assert.equal(notImage.status, 415);
  assert.equal(notImage.body.error.details.frame, 2);
  const big = await sharp({
    create: {
      width: 1600,
      height: 1200,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .jpeg({ quality: 95 })
    .toBuffer();
  const tooBig = await verify(client, sessionId, [
    ...good.slice(0, 2),
    { image: big.toString('base64'), t: 500 },
  ]);
  assert.equal(tooBig.status, 413);
  assert.equal(tooBig.body.error.code, 'FRAME_TOO_LARGE');
  assert.equal((await verify(client, sessionId, good)).status, 200, 'the session was still unused');
});

test('livenessSessionId without a passed session is 422 LIVENESS_REQUIRED on compare, search and enrol', async () => {
  const client = await login('binding-refused');
  const { sessionId } = await start(client);
  const image = fixtureBase64('amy/amy1.png');
  const compare = await client.post('/v1/faces/compare', {
    a: { image },
    b: { image: fixtureBase64('amy/amy2.png') },
    livenessSessionId: sessionId,
  });
  assert.equal(compare.status, 422);
  assert.equal(compare.body.error.code, 'LIVENESS_REQUIRED');
  const search = await client.post('/v1/search', { image, livenessSessionId: sessionId });
  assert.equal(search.status, 422);
  assert.equal(search.body.error.code, 'LIVENESS_REQUIRED');
  const person = await client.post('/v1/persons', { consent: CONSENT, name: 'Amy' });
  const enrol = await client.post(`/v1/persons/${person.body.personId}/faces`, {
    image,
    livenessSessionId: sessionId,
  });
  assert.equal(enrol.status, 422);
  assert.equal(enrol.body.error.code, 'LIVENESS_REQUIRED');
});

/**
 * A person performing the challenge: the puppet re-renders a real photo filling the whole frame (its own
 * surroundings, no pasted backdrop, which the passive model rightly reads as a photo held up).
 */
const performer = (() => {
  let puppet: Promise<FacePuppet> | undefined;
  const photo = 'expressions/neutral.jpg';
  return {
    photo,
    frames: async (actions: readonly string[]) => {
      const { width, height } = await sharp(fixture(photo)).metadata();
      puppet ??= FacePuppet.create(fixture(photo), { width, height, faceSize: Math.max(width, height) });
      const frames = await challengeFrames(await puppet, actions);
      return frames.map(({ image, t }) => ({ image: image.toString('base64'), t }));
    },
  };
})();

test('performing the asked actions in order passes; the same actions in the wrong order are ACTION_ORDER', async () => {
  const client = await login('perform');
  const session = await start(client, 'NORMAL');
  const { actions } = session.challenge;
  const res = await verify(client, session.sessionId, await performer.frames(actions));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.reasons, [], JSON.stringify(res.body));
  assert.equal(res.body.live, true);
  assert.ok(res.body.score >= 0.8, `score ${res.body.score}`);
  assert.ok(res.body.passiveScore >= 0.8, `passive ${res.body.passiveScore}`);
  assert.deepEqual(
    res.body.actions.map((a: { action: string; seen: boolean }) => [a.action, a.seen]),
    actions.map((a: string) => [a, true]),
  );
  const frames = res.body.actions.map((a: { frame: number }) => a.frame);
  assert.deepEqual(
    frames,
    [...frames].sort((a, b) => a - b),
    'each action after the one before',
  );
  assert.equal(typeof res.body.referenceFace.frame, 'number');

  const reversed = await start(client, 'NORMAL');
  const backwards = [...reversed.challenge.actions].reverse();
  const wrong = await verify(client, reversed.sessionId, await performer.frames(backwards));
  assert.equal(wrong.status, 200);
  assert.equal(wrong.body.live, false);
  assert.deepEqual(wrong.body.reasons, ['ACTION_ORDER'], JSON.stringify(wrong.body));
  assert.ok(
    wrong.body.actions.every((a: { seen: boolean }) => a.seen),
    'every action was seen',
  );
  assert.ok(wrong.body.score <= 0.5, `half the action credit at most: ${wrong.body.score}`);
});

test('a passed session binds compare, search and enrol to the same person, and to no one else', async () => {
  const client = await login('binding');
  const session = await start(client);
  const passed = await verify(client, session.sessionId, await performer.frames(session.challenge.actions));
  assert.equal(passed.body.live, true, JSON.stringify(passed.body));
  const livenessSessionId = session.sessionId;
  const same = fixtureBase64(performer.photo);

  const compare = await client.post('/v1/faces/compare', {
    a: { image: same },
    b: { image: same },
    livenessSessionId,
  });
  assert.equal(compare.status, 200, JSON.stringify(compare.body));
  assert.equal(compare.body.match, true);

  const person = await client.post('/v1/persons', { consent: CONSENT, name: 'Performer' });
  const enrol = await client.post(`/v1/persons/${person.body.personId}/faces`, {
    image: same,
    livenessSessionId,
  });
  assert.equal(enrol.status, 201, JSON.stringify(enrol.body));

  const search = await client.post('/v1/search', { image: same, livenessSessionId });
  assert.equal(search.status, 200, JSON.stringify(search.body));
  assert.equal(search.body.faces[0].matches[0]?.personId, person.body.personId);

  // The session cannot vouch for another face...
  const other = await client.post('/v1/faces/compare', {
    a: { image: fixtureBase64('amy/amy1.png') },
    b: { image: same },
    livenessSessionId,
  });
  assert.equal(other.status, 422);
  assert.equal(other.body.error.details.problem, 'DIFFERENT_PERSON');
  // ...nor for another account.
  const stranger = await login('binding-stranger');
  const foreign = await stranger.post('/v1/search', { image: same, livenessSessionId });
  assert.equal(foreign.status, 422);
  assert.equal(foreign.body.error.details.problem, 'NO_PASSED_SESSION');
});

test('erasing the account removes its liveness sessions and claims', async () => {
  const client = await login('erase');
  const frames = burst(await Promise.all([0, 1, 2].map((i) => framed('bernadette/bernadette1.png', i * 5))));
  const { sessionId } = await start(client);
  await verify(client, sessionId, frames);
  await start(client);
  const userId = client.session!.userId;
  const keys = async () => (await localRedis().scan(0, { match: `liveness:*${userId}:*`, count: 1000 }))[1];
  assert.ok((await keys()).length >= 3, 'two sessions and one claim exist');
  assert.equal((await client.delete('/v1/me/data')).status, 204);
  assert.deepEqual(await keys(), []);
});
