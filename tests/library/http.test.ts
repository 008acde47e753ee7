import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { FacegateClient } from '../../shared/client/client.ts';
import { apiEnv, localS3, urls } from '../support/stack.ts';
import { CONSENT } from '../support/fixtures.ts';

/**
 * The face library through the signed API on serverless-offline: contract shapes, status codes, ownership,
 * and erasure. Each test signs in as a fresh user so the face rate limit (30/min) is never in the way.
 */

const origin = new URL(urls.api).origin;
const login = () => FacegateClient.login(origin, `test:library-${randomUUID()}`);
const image = async (path: string) =>
  (await readFile(new URL(`../fixtures/faces/${path}`, import.meta.url))).toString('base64');

const personShape = ['consent', 'createdAt', 'faceCount', 'meta', 'name', 'personId', 'updatedAt'];

describe('persons', () => {
  it('creates, lists, gets, patches and deletes persons as the contract says', async () => {
    const c = await login();
    const created = await c.post('/v1/persons', { consent: CONSENT, name: 'Amy', meta: { lab: 'neuro' } });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body).sort(), personShape);
    const { personId } = created.body;
    await c.post('/v1/persons', { consent: CONSENT, name: 'Raj' });
    await c.post('/v1/persons', { consent: CONSENT, name: 'Penny' });

    const page1 = await c.get('/v1/persons', { query: { limit: 2 } });
    assert.equal(page1.status, 200);
    assert.deepEqual(
      page1.body.items.map((p: { name: string }) => p.name),
      ['Amy', 'Raj'],
    );
    const page2 = await c.get('/v1/persons', { query: { limit: 2, cursor: page1.body.nextCursor } });
    assert.deepEqual(
      page2.body.items.map((p: { name: string }) => p.name),
      ['Penny'],
    );
    assert.equal(page2.body.nextCursor, null);

    const got = await c.get(`/v1/persons/${personId}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, { ...created.body, faces: [] });

    const patched = await c.patch(`/v1/persons/${personId}`, { name: 'Amy Farrah Fowler' });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.name, 'Amy Farrah Fowler');
    assert.deepEqual(patched.body.meta, { lab: 'neuro' });

    assert.equal((await c.delete(`/v1/persons/${personId}`)).status, 204);
    assert.equal((await c.get(`/v1/persons/${personId}`)).status, 404);
  });

  it('answers bad input with 400 VALIDATION_FAILED naming the field', async () => {
    const c = await login();
    const cases: [string, () => ReturnType<FacegateClient['get']>, string][] = [
      ['empty name', () => c.post('/v1/persons', { consent: CONSENT, name: '  ' }), 'name'],
      ['long name', () => c.post('/v1/persons', { consent: CONSENT, name: 'x'.repeat(65) }), 'name'],
      [
        'meta over 2 KB',
        () => c.post('/v1/persons', { consent: CONSENT, name: 'a', meta: { blob: 'x'.repeat(2100) } }),
        'meta',
      ],
      ['meta not an object', () => c.post('/v1/persons', { consent: CONSENT, name: 'a', meta: [1] }), 'meta'],
      ['limit 0', () => c.get('/v1/persons', { query: { limit: 0 } }), 'limit'],
      ['forged cursor', () => c.get('/v1/persons', { query: { cursor: 'eyJ4IjoxfQ' } }), 'cursor'],
    ];
    for (const [what, call, field] of cases) {
      const res = await call();
      assert.equal(res.status, 400, what);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED', what);
      assert.ok(field in res.body.error.details.fields, `${what}: ${JSON.stringify(res.body.error.details)}`);
    }
  });
});

describe('faces and search', () => {
  it('enrols (201, then 200 for the same image), finds, and forgets a face', async () => {
    const c = await login();
    const { personId } = (await c.post('/v1/persons', { consent: CONSENT, name: 'Sheldon' })).body;
    const enrolled = await c.post(`/v1/persons/${personId}/faces`, {
      image: await image('sheldon/sheldon1.png'),
    });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    assert.deepEqual(Object.keys(enrolled.body).sort(), ['box', 'faceId', 'personId', 'quality']);
    assert.deepEqual(Object.keys(enrolled.body.quality).sort(), ['brightness', 'faceSize', 'sharpness']);
    assert.ok(enrolled.headers.get('x-ratelimit-limit'), 'enrolment is a face endpoint');

    const again = await c.post(`/v1/persons/${personId}/faces`, {
      image: await image('sheldon/sheldon1.png'),
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.faceId, enrolled.body.faceId);

    const found = await c.post('/v1/search', { image: await image('sheldon/sheldon3.png') });
    assert.equal(found.status, 200);
    assert.equal(found.body.faces.length, 1);
    const [face] = found.body.faces;
    assert.deepEqual(Object.keys(face).sort(), ['box', 'decision', 'matches']);
    assert.equal(face.decision, 'MATCH');
    assert.deepEqual(Object.keys(face.box).sort(), ['height', 'width', 'x', 'y']);
    assert.equal(face.matches.length, 1);
    assert.deepEqual(Object.keys(face.matches[0]).sort(), ['name', 'personId', 'similarity']);
    assert.equal(face.matches[0].personId, personId);
    assert.ok(face.matches[0].similarity > 0 && face.matches[0].similarity <= 1);

    const person = await c.get(`/v1/persons/${personId}`);
    assert.equal(person.body.faceCount, 1);
    assert.deepEqual(Object.keys(person.body.faces[0]).sort(), ['createdAt', 'faceId', 'quality']);

    const removed = await c.delete(`/v1/persons/${personId}/faces/${enrolled.body.faceId}`);
    assert.equal(removed.status, 204);
    assert.equal((await c.delete(`/v1/persons/${personId}/faces/${enrolled.body.faceId}`)).status, 404);
    const gone = await c.post('/v1/search', { image: await image('sheldon/sheldon4.png') });
    assert.deepEqual(gone.body.faces[0].matches, []);
    assert.equal((await c.get(`/v1/persons/${personId}`)).body.faceCount, 0);
  });

  it('explains refused enrolments with 422 codes', async () => {
    const c = await login();
    const { personId } = (await c.post('/v1/persons', { consent: CONSENT, name: 'Howard' })).body;
    const none = await c.post(`/v1/persons/${personId}/faces`, { image: await image('misc/white.png') });
    assert.equal(none.status, 422);
    assert.equal(none.body.error.code, 'NO_FACE');
    const many = await c.post(`/v1/persons/${personId}/faces`, { image: await image('misc/faces.jpg') });
    assert.equal(many.status, 422);
    assert.equal(many.body.error.code, 'MULTIPLE_FACES');
    const missing = await c.post('/v1/persons/p0000000000000000000000000/faces', {
      image: await image('howard/howard1.png'),
    });
    assert.equal(missing.status, 404);
  });

  it("keeps users apart: another user's ids answer 404 and their search finds nothing", async () => {
    const owner = await login();
    const intruder = await login();
    const { personId } = (await owner.post('/v1/persons', { consent: CONSENT, name: 'Bernadette' })).body;
    const { faceId } = (
      await owner.post(`/v1/persons/${personId}/faces`, { image: await image('bernadette/bernadette1.png') })
    ).body;

    for (const res of [
      await intruder.get(`/v1/persons/${personId}`),
      await intruder.patch(`/v1/persons/${personId}`, { name: 'mine' }),
      await intruder.delete(`/v1/persons/${personId}/faces/${faceId}`),
      await intruder.post(`/v1/persons/${personId}/faces`, {
        image: await image('bernadette/bernadette2.png'),
      }),
      await intruder.delete(`/v1/persons/${personId}`),
    ]) {
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'NOT_FOUND');
    }
    const search = await intruder.post('/v1/search', { image: await image('bernadette/bernadette4.png') });
    assert.deepEqual(search.body.faces[0].matches, []);
    assert.equal((await owner.get(`/v1/persons/${personId}`)).body.faceCount, 1);
  });

  it('DELETE /v1/me/data erases persons and faces; enrolment kept the template, not the image', async () => {
    const c = await login();
    const { personId } = (await c.post('/v1/persons', { consent: CONSENT, name: 'Leonard' })).body;
    await c.post(`/v1/persons/${personId}/faces`, { image: await image('leonard/leonard1.png') });
    const crops = () =>
      localS3().send(
        new ListObjectsV2Command({ Bucket: apiEnv.BUCKET_NAME, Prefix: `users/${c.session!.userId}/faces/` }),
      );
    assert.equal((await crops()).KeyCount, 0, 'no face image is stored without ENROL_STORE_CROPS');

    assert.equal((await c.delete('/v1/me/data')).status, 204);
    assert.deepEqual((await c.get('/v1/persons')).body, { items: [], nextCursor: null });
    assert.equal((await c.get(`/v1/persons/${personId}`)).status, 404);
    assert.equal((await crops()).KeyCount, 0);
    const search = await c.post('/v1/search', { image: await image('leonard/leonard4.png') });
    assert.deepEqual(search.body.faces[0].matches, []);
  });
});
