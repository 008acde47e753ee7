import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeDescriptor, normalise } from './descriptor-codec.ts';
import { MatrixGallery, type GalleryFace, type GalleryPerson } from './gallery.ts';

/** Deterministic pseudo-random numbers so failures reproduce. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

const vector = (dims: number, next: () => number) => Float32Array.from({ length: dims }, next);

/** A face near `base`: what a second photo of the same person looks like to a descriptor model. */
const near = (base: Float32Array, next: () => number, noise: number) => base.map((v) => v + noise * next());

function exactCosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const [ua, ub] = [normalise(a), normalise(b)];
  return ua.reduce((sum, v, i) => sum + v * ub[i]!, 0);
}

const face = (personId: string, descriptor: Float32Array): GalleryFace => ({
  personId,
  descriptor: encodeDescriptor(descriptor),
});

describe('MatrixGallery', () => {
  for (const dims of [128, 100, 3]) {
    it(`scores exactly like float cosine at ${dims} dimensions (row padding included)`, () => {
      const next = random(dims);
      const persons: GalleryPerson[] = Array.from({ length: 50 }, (_, i) => ({
        personId: `p${i}`,
        name: `n${i}`,
      }));
      const descriptors = persons.map(() => vector(dims, next));
      const gallery = new MatrixGallery(
        dims,
        persons,
        persons.map((p, i) => face(p.personId, descriptors[i]!)),
      );
      const query = near(descriptors[7]!, next, 0.3);
      const ranked = gallery.rankPersons(query, 50);
      const exact = persons
        .map((p, i) => ({ personId: p.personId, cosine: exactCosine(query, descriptors[i]!) }))
        .sort((x, y) => y.cosine - x.cosine);
      assert.deepEqual(
        ranked.map((r) => r.personId),
        exact.map((e) => e.personId),
      );
      ranked.forEach((r, i) => assert.ok(Math.abs(r.cosine - exact[i]!.cosine) < 1e-5, r.personId));
    });
  }

  it('returns the best `limit` persons, each once, however many faces they have', () => {
    const next = random(1);
    const dims = 128;
    const persons = ['a', 'b', 'c', 'd'].map((id) => ({ personId: id, name: id.toUpperCase() }));
    const bases = persons.map(() => vector(dims, next));
    const faces = persons.flatMap((p, i) =>
      [0, 1, 2].map(() => face(p.personId, near(bases[i]!, next, 0.2))),
    );
    const gallery = new MatrixGallery(dims, persons, faces);
    assert.equal(gallery.faceCount, 12);
    const ranked = gallery.rankPersons(bases[2]!, 2);
    assert.equal(ranked.length, 2);
    assert.equal(ranked[0]!.name, 'C');
    assert.notEqual(ranked[1]!.name, 'C');
    assert.ok(ranked[0]!.cosine > 0.9);
  });

  it('leaves out faces whose person is not in the gallery and persons without faces', () => {
    const next = random(2);
    const dims = 32;
    const orphan = vector(dims, next);
    const gallery = new MatrixGallery(
      dims,
      [
        { personId: 'kept', name: 'Kept' },
        { personId: 'empty', name: 'Empty' },
      ],
      [face('kept', vector(dims, next)), face('deleted', orphan)],
    );
    assert.equal(gallery.faceCount, 1);
    assert.deepEqual(
      gallery.rankPersons(orphan, 5).map((r) => r.personId),
      ['kept'],
    );
  });

  it('answers an empty gallery with no persons and rejects a query of the wrong length', () => {
    const gallery = new MatrixGallery(64, [], []);
    assert.deepEqual(gallery.rankPersons(new Float32Array(64).fill(1), 5), []);
    assert.throws(() => gallery.rankPersons(new Float32Array(63).fill(1), 5), /dimensions/);
  });
});
