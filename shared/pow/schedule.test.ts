import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  POW_FIRST_LEVEL_SCORE,
  POW_HALF_LIFE_SECONDS,
  POW_MAX_LEVEL,
  POW_WEIGHTS,
  decayed,
  levelFor,
  maxnumberFor,
} from './schedule.ts';

const halfLifeMs = POW_HALF_LIFE_SECONDS * 1000;

test('no proof of work below the first level: five failures (the captcha threshold) ask nothing', () => {
  assert.equal(levelFor(0), 0);
  assert.equal(levelFor(5 * POW_WEIGHTS.failure), 0);
  assert.equal(levelFor(6 * POW_WEIGHTS.failure), 1);
  assert.equal(levelFor(NaN), 0);
});

test('each doubling of the score is one level more, up to the maximum', () => {
  const levels = [6, 11.9, 12, 24, 48, 96, 10_000].map((s) => levelFor(s));
  assert.deepEqual(levels, [1, 1, 2, 3, 4, 4, POW_MAX_LEVEL]);
});

test('a shared address (a NAT) starts later, at its own first-level score', () => {
  assert.equal(levelFor(20, 21), 0);
  assert.equal(levelFor(21, 21), 1);
  assert.equal(levelFor(42, 21), 2);
});

test('each level is four times the work of the one before', () => {
  const sizes = [1, 2, 3, 4].map(maxnumberFor);
  assert.deepEqual(sizes, [25_000, 100_000, 400_000, 1_600_000]);
  assert.equal(maxnumberFor(99), maxnumberFor(POW_MAX_LEVEL), 'capped');
});

test('scores halve every half-life, so friction drops back over time', () => {
  assert.equal(decayed(24, 0), 24);
  assert.equal(decayed(24, halfLifeMs), 12);
  assert.equal(decayed(24, 3 * halfLifeMs), 3);
  assert.equal(decayed(24, -5000), 24, 'clock skew never inflates a score');
  // A burst of 24 failures (level 3) is back to level 1 after two half-lives and to 0 after three.
  assert.deepEqual(
    [0, 1, 2, 3].map((n) => levelFor(decayed(24, n * halfLifeMs))),
    [3, 2, 1, 0],
  );
});

test('volume alone reaches level 1: 24 captchas in a burst, 30 sign-ins of one user', () => {
  assert.equal(levelFor(23 * POW_WEIGHTS.captchaIssued), 0);
  assert.equal(levelFor(24 * POW_WEIGHTS.captchaIssued), 1);
  assert.equal(levelFor(29 * POW_WEIGHTS.login), 0);
  assert.equal(levelFor(31 * POW_WEIGHTS.login), 1);
  assert.equal(POW_FIRST_LEVEL_SCORE, 6);
});
