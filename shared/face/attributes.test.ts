import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ageFrom, emotionFrom, genderFrom, qualityFrom } from './attributes.ts';

describe('attribute post-processing', () => {
  it('maps the emotion model output order onto named scores', () => {
    // Model order: angry, disgust, fear, happy, sad, surprise, neutral.
    const e = emotionFrom([0.05, 0, 0, 0.1, 0.05, 0.7, 0.1]);
    assert.equal(e.value, 'surprise');
    assert.equal(e.scores.neutral, 0.1);
    assert.equal(e.scores.sad, 0.05);
  });

  it('reports the probability of the chosen gender', () => {
    assert.deepEqual(genderFrom(0.8), { value: 'male', score: 0.8 });
    assert.deepEqual(genderFrom(0.25), { value: 'female', score: 0.75 });
  });

  it('takes the expected age of the softmax', () => {
    const p = new Array(100).fill(0);
    p[30] = 0.5;
    p[40] = 0.5;
    assert.equal(ageFrom(p), 35);
  });

  it('scores a flat patch as not sharp and a checkerboard as sharp', () => {
    const size = 20;
    const flat = qualityFrom(new Array(size * size).fill(51), size, 80);
    assert.deepEqual(flat, { faceSize: 80, sharpness: 0, brightness: 0.2 });
    const checker = Array.from(
      { length: size * size },
      (_, i) => (((i % size) + Math.floor(i / size)) % 2) * 255,
    );
    assert.ok(qualityFrom(checker, size, 80).sharpness > 0.99);
  });
});
