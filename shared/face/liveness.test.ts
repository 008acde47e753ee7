import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AppError } from '../errors.ts';
import { loadImage } from '../image/load.ts';
import { LIVENESS_LEVELS, LIVENESS_THRESHOLDS, checkLiveness } from './liveness.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../tests/fixtures/faces/${name}`, import.meta.url));

describe('checkLiveness', () => {
  it('judges the largest face against the threshold of the level', async () => {
    const image = await loadImage(fixture('misc/faces.jpg'));
    for (const level of LIVENESS_LEVELS) {
      const r = await checkLiveness(image, level);
      assert.equal(r.level, level);
      assert.equal(r.threshold, LIVENESS_THRESHOLDS[level]);
      assert.equal(r.live, r.score >= r.threshold);
      assert.ok(r.score >= 0 && r.score <= 1);
      assert.ok(r.face.box.width > 50 && r.face.box.height > 50);
    }
  });

  it('gets stricter from LOW to HIGH', () => {
    assert.ok(
      LIVENESS_THRESHOLDS.LOW < LIVENESS_THRESHOLDS.NORMAL &&
        LIVENESS_THRESHOLDS.NORMAL < LIVENESS_THRESHOLDS.HIGH,
    );
  });

  it('answers 422 NO_FACE when there is no face', async () => {
    await assert.rejects(
      checkLiveness(await loadImage(fixture('misc/white.png'))),
      (e: unknown) => e instanceof AppError && e.status === 422 && e.code === 'NO_FACE',
    );
  });
});
