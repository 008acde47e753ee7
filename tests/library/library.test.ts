import './local-env.ts';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { AppError } from '../../shared/errors.ts';
import { encodeDescriptor } from '../../shared/library/descriptor-codec.ts';
import { eraseLibrary } from '../../shared/library/erase.ts';
import { addFace, listPersonFaces, newFaceRecord, removeFace } from '../../shared/library/faces.ts';
import { galleryFor } from '../../shared/library/gallery-cache.ts';
import { faceIdFor } from '../../shared/library/ids.ts';
import { faceCropKey } from '../../shared/store/keys.ts';
import {
  createPerson,
  deletePerson,
  findPerson,
  getPerson,
  listPersons,
  updatePerson,
} from '../../shared/library/persons.ts';
import { CONSENT } from '../support/fixtures.ts';

/** Data-layer behaviour with synthetic descriptors; tests/library/search.test.ts covers real faces. */

const model = { name: 'synthetic', version: '1', descriptorLength: 64 };
const MAX_FACES = 100;
const BUDGET = 64 * 1024 * 1024;
const newUser = () => `test-library-${randomUUID()}`;
const randomDescriptor = () =>
  Float32Array.from({ length: model.descriptorLength }, () => Math.random() - 0.5);

function syntheticFace(userId: string, personId: string, descriptor = randomDescriptor()) {
  const imageSha256 = randomUUID();
  const faceId = faceIdFor(personId, imageSha256);
  return newFaceRecord({
    faceId,
    personId,
    box: { x: 1, y: 2, width: 100, height: 120 },
    quality: { faceSize: 100, sharpness: 0.5, brightness: 0.5 },
    imageSha256,
    descriptor: encodeDescriptor(descriptor),
    modelName: model.name,
    modelVersion: model.version,
    cropKey: faceCropKey(userId, personId, faceId),
  });
}

const isAppError = (status: number, code: string) => (e: unknown) =>
  e instanceof AppError && e.status === status && e.code === code;

describe('persons', () => {
  it('creates, gets, renames, updates meta and deletes a person', async () => {
    const userId = newUser();
    const created = await createPerson(userId, { consent: CONSENT, name: 'Amy', meta: { team: 'biology' } });
    assert.equal(created.name, 'Amy');
    assert.deepEqual(created.meta, { team: 'biology' });
    assert.equal(created.faceCount, 0);
    assert.equal(created.createdAt, created.updatedAt);

    const fetched = await getPerson(userId, created.personId);
    assert.deepEqual(fetched, { ...created, faces: [] });

    const renamed = await updatePerson(userId, created.personId, { name: 'Amy Farrah Fowler' });
    assert.equal(renamed.name, 'Amy Farrah Fowler');
    assert.deepEqual(renamed.meta, { team: 'biology' });
    const remeta = await updatePerson(userId, created.personId, { meta: { lab: 3 } });
    assert.deepEqual(remeta.meta, { lab: 3 });
    assert.equal(remeta.name, 'Amy Farrah Fowler');

    await deletePerson(userId, created.personId);
    assert.equal(await findPerson(userId, created.personId), undefined);
    await assert.rejects(getPerson(userId, created.personId), isAppError(404, 'NOT_FOUND'));
    await assert.rejects(deletePerson(userId, created.personId), isAppError(404, 'NOT_FOUND'));
  });

  it('lists persons oldest first in pages linked by an opaque cursor', async () => {
    const userId = newUser();
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const name of names) await createPerson(userId, { consent: CONSENT, name });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listPersons(userId, { limit: 2, cursor });
      seen.push(...page.items.map((p) => p.name));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    assert.deepEqual(seen, names);
    assert.equal(pages, 3);

    const exact = await listPersons(userId, { limit: 5 });
    assert.equal(exact.items.length, 5);
    assert.equal(exact.nextCursor, null, 'a full last page does not point at an empty one');

    await assert.rejects(
      listPersons(userId, { limit: 2, cursor: 'garbage' }),
      isAppError(400, 'VALIDATION_FAILED'),
    );
  });

  it("answers another user's person and face ids with 404 and lists nothing of theirs", async () => {
    const owner = newUser();
    const other = newUser();
    const person = await createPerson(owner, { consent: CONSENT, name: 'Penny' });
    const { face } = await addFace(owner, syntheticFace(owner, person.personId), MAX_FACES);

    await assert.rejects(getPerson(other, person.personId), isAppError(404, 'NOT_FOUND'));
    await assert.rejects(updatePerson(other, person.personId, { name: 'x' }), isAppError(404, 'NOT_FOUND'));
    await assert.rejects(deletePerson(other, person.personId), isAppError(404, 'NOT_FOUND'));
    await assert.rejects(removeFace(other, person.personId, face.faceId), isAppError(404, 'NOT_FOUND'));
    await assert.rejects(
      addFace(other, syntheticFace(other, person.personId), MAX_FACES),
      isAppError(404, 'NOT_FOUND'),
    );
    assert.deepEqual((await listPersons(other, { limit: 10 })).items, []);
    assert.equal((await galleryFor(other, model, BUDGET)).faceCount, 0);
    // ...and the owner's data is untouched by those attempts.
    assert.equal((await getPerson(owner, person.personId)).faceCount, 1);
    assert.equal((await listPersonFaces(other, person.personId)).length, 0);
  });

  it('answers ids it never issues with 404', async () => {
    const userId = newUser();
    await assert.rejects(getPerson(userId, 'PERSON#x'), isAppError(404, 'NOT_FOUND'));
    await assert.rejects(updatePerson(userId, 'x'.repeat(300), { name: 'a' }), isAppError(404, 'NOT_FOUND'));
    await assert.rejects(removeFace(userId, 'p1', '../f'), isAppError(404, 'NOT_FOUND'));
  });
});

describe('faces', () => {
  it('counts 20 concurrent enrolments to one person exactly, losing none', async () => {
    const userId = newUser();
    const person = await createPerson(userId, { consent: CONSENT, name: 'Sheldon' });
    const faces = Array.from({ length: 20 }, () => syntheticFace(userId, person.personId));
    const results = await Promise.all(faces.map((f) => addFace(userId, f, MAX_FACES)));
    assert.ok(results.every((r) => r.created));

    const stored = await getPerson(userId, person.personId);
    assert.equal(stored.faceCount, 20);
    assert.deepEqual(stored.faces.map((f) => f.faceId).sort(), faces.map((f) => f.faceId).sort());
  });

  it('enrols the same image once: a repeat returns the stored face and writes nothing', async () => {
    const userId = newUser();
    const person = await createPerson(userId, { consent: CONSENT, name: 'Raj' });
    const face = syntheticFace(userId, person.personId);
    const [a, b] = await Promise.all([addFace(userId, face, MAX_FACES), addFace(userId, face, MAX_FACES)]);
    assert.deepEqual([a.created, b.created].sort(), [false, true]);
    const again = await addFace(userId, { ...face, createdAt: new Date().toISOString() }, MAX_FACES);
    assert.equal(again.created, false);
    assert.equal(again.face.createdAt, face.createdAt);
    assert.equal((await getPerson(userId, person.personId)).faceCount, 1);
  });

  it('refuses faces beyond the per-person limit with 409 FACE_LIMIT_REACHED and keeps the count', async () => {
    const userId = newUser();
    const person = await createPerson(userId, { consent: CONSENT, name: 'Leonard' });
    await Promise.all(
      [0, 1, 2].map(() => addFace(userId, syntheticFace(userId, person.personId), 2).catch((e) => e)),
    );
    const stored = await getPerson(userId, person.personId);
    assert.equal(stored.faceCount, 2);
    assert.equal(stored.faces.length, 2);
    await assert.rejects(
      addFace(userId, syntheticFace(userId, person.personId), 2),
      isAppError(409, 'FACE_LIMIT_REACHED'),
    );
  });

  it('removes a face once and decrements the count once under concurrent deletes', async () => {
    const userId = newUser();
    const person = await createPerson(userId, { consent: CONSENT, name: 'Howard' });
    const { face } = await addFace(userId, syntheticFace(userId, person.personId), MAX_FACES);
    await addFace(userId, syntheticFace(userId, person.personId), MAX_FACES);
    const outcomes = await Promise.allSettled(
      [0, 1, 2].map(() => removeFace(userId, person.personId, face.faceId)),
    );
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    const stored = await getPerson(userId, person.personId);
    assert.equal(stored.faceCount, 1);
    assert.ok(!stored.faces.some((f) => f.faceId === face.faceId));
  });
});

describe('gallery', () => {
  it('sees an enrolment or deletion made in another container at the next search', async () => {
    // A second copy of the cache module stands for another warm container (its own in-memory cache).
    const otherContainer = (await import(
      `../../shared/library/gallery-cache.ts?container=${randomUUID()}`
    )) as typeof import('../../shared/library/gallery-cache.ts');
    assert.notEqual(otherContainer.galleryFor, galleryFor);
    const userId = newUser();
    const bernadette = await createPerson(userId, { consent: CONSENT, name: 'Bernadette' });
    const descriptor = randomDescriptor();
    await addFace(userId, syntheticFace(userId, bernadette.personId, descriptor), MAX_FACES);

    const here = await galleryFor(userId, model, BUDGET);
    assert.equal(
      (await galleryFor(userId, model, BUDGET)) === here,
      true,
      'unchanged stamp reuses the gallery',
    );
    assert.equal((await otherContainer.galleryFor(userId, model, BUDGET)).faceCount, 1);

    const stuart = await createPerson(userId, { consent: CONSENT, name: 'Stuart' });
    const stuartFace = syntheticFace(userId, stuart.personId);
    await addFace(userId, stuartFace, MAX_FACES);
    const there = await otherContainer.galleryFor(userId, model, BUDGET);
    assert.equal(there.faceCount, 2);
    assert.equal(there.rankPersons(descriptor, 1)[0]!.name, 'Bernadette');

    await updatePerson(userId, bernadette.personId, { name: 'Bernie' });
    assert.equal((await galleryFor(userId, model, BUDGET)).rankPersons(descriptor, 1)[0]!.name, 'Bernie');

    await removeFace(userId, stuart.personId, stuartFace.faceId);
    assert.equal((await otherContainer.galleryFor(userId, model, BUDGET)).faceCount, 1);
    await deletePerson(userId, bernadette.personId);
    const after = await galleryFor(userId, model, BUDGET);
    assert.equal(after.faceCount, 0);
    assert.deepEqual(after.rankPersons(descriptor, 5), []);
  });

  it('ignores faces embedded by another model version until they are re-embedded', async () => {
    const userId = newUser();
    const person = await createPerson(userId, { consent: CONSENT, name: 'Amy' });
    await addFace(userId, syntheticFace(userId, person.personId), MAX_FACES);
    assert.equal((await galleryFor(userId, { ...model, version: '2' }, BUDGET)).faceCount, 0);
    assert.equal((await galleryFor(userId, model, BUDGET)).faceCount, 1);
  });
});

describe('eraseLibrary', () => {
  it('erases every person and face of the user and nobody else', async () => {
    const userId = newUser();
    const bystander = newUser();
    for (const name of ['a', 'b', 'c']) {
      const person = await createPerson(userId, { consent: CONSENT, name });
      await addFace(userId, syntheticFace(userId, person.personId), MAX_FACES);
    }
    const kept = await createPerson(bystander, { consent: CONSENT, name: 'kept' });
    await galleryFor(userId, model, BUDGET);

    await eraseLibrary(userId);
    assert.deepEqual((await listPersons(userId, { limit: 100 })).items, []);
    assert.equal((await galleryFor(userId, model, BUDGET)).faceCount, 0);
    assert.equal((await getPerson(bystander, kept.personId)).name, 'kept');
    await eraseLibrary(userId);
  });
});
