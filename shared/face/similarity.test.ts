import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors.ts';
import { descriptorSimilarity, similarityFromCosine } from './similarity.ts';

test('similarity: 1 for the same direction, 0.5 at dlib threshold, 0 far apart, scale-free', () => {
  const a = [1, 0, 0, 0];
  assert.equal(descriptorSimilarity(a, a), 1);
  assert.equal(descriptorSimilarity(a, [3, 0, 0, 0]), 1);
  assert.equal(descriptorSimilarity(a, [0, 1, 0, 0]), 0);
  // dlib's 0.6 Euclidean threshold on raw descriptors of norm 1.45 is a chord of 0.6/1.45 on the unit sphere.
  const chord = 0.6 / 1.45;
  assert.ok(Math.abs(similarityFromCosine(1 - chord ** 2 / 2) - 0.5) < 1e-12);
});

test('descriptors of different lengths are a DESCRIPTOR_MISMATCH, not a number', () => {
  assert.throws(
    () => descriptorSimilarity([1, 0], [1, 0, 0]),
    (e: unknown) => e instanceof AppError && e.code === 'DESCRIPTOR_MISMATCH' && e.status === 500,
  );
  assert.throws(() => descriptorSimilarity([], []), AppError);
});
