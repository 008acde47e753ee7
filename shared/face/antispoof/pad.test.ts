import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { getFaceEngine } from '../default-engine.ts';
import { LIVENESS_THRESHOLDS } from '../liveness.ts';
import { initBackend } from '../models.ts';
import { loadImage } from '../../image/load.ts';
import { ATTACK_TYPES, simulateAttack } from './attacks.ts';
import { contextCrop, contextWindow } from './pad.ts';

const fixtures = new URL('../../../tests/fixtures/faces/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures));
const reference = JSON.parse(readFileSync(new URL('reference-outputs.json', import.meta.url), 'utf8')) as {
  crops: {
    bbox: [number, number, number, number];
    scale: number;
    box: number[];
    sum: number;
    sample: number[];
  }[];
};

describe('contextCrop', () => {
  before(() => initBackend());

  it('cuts the window upstream cuts and resizes it like cv2 (reference.py, numpy)', () => {
    const meta = JSON.parse(readFileSync(new URL('testdata/crop-source.json', import.meta.url), 'utf8'));
    const rgb = Float32Array.from(readFileSync(new URL('testdata/crop-source.rgb', import.meta.url)));
    const image = tf.tensor4d(rgb, [1, meta.height, meta.width, 3]);
    try {
      for (const c of reference.crops) {
        const [x, y, width, height] = c.bbox;
        const box = { x, y, width, height };
        const w = contextWindow(meta.width, meta.height, box, c.scale);
        assert.deepEqual([w.left, w.top, w.right, w.bottom], c.box, JSON.stringify(c.bbox));
        const crop = tf.tidy(() => contextCrop(image, box, c.scale).dataSync());
        let sum = 0;
        for (const v of crop) sum += v;
        // Mean difference per value, and 25 sampled values (every 16th row and column, BGR).
        assert.ok(
          Math.abs(sum - c.sum) / crop.length < 0.05,
          `${c.bbox}: mean ${sum / crop.length} vs ${c.sum / crop.length}`,
        );
        const sample: number[] = [];
        for (let r = 0; r < 80; r += 16)
          for (let col = 0; col < 80; col += 16)
            sample.push(...crop.slice((r * 80 + col) * 3, (r * 80 + col) * 3 + 3));
        const worst = Math.max(...sample.map((v, i) => Math.abs(v - c.sample[i]!)));
        assert.ok(worst < 0.5, `${c.bbox} x${c.scale}: sampled values differ by up to ${worst}`);
      }
    } finally {
      image.dispose();
    }
  });

  it('keeps the window inside the image and shrinks the scale when it cannot fit', () => {
    const w = contextWindow(100, 80, { x: 40, y: 30, width: 40, height: 40 }, 4);
    assert.ok(w.left >= 0 && w.top >= 0 && w.right <= 99 && w.bottom <= 79);
    assert.equal(w.bottom - w.top, 79); // scale limited to 79/40
  });
});

/**
 * End to end through the engine (`withLiveness`): genuine faces that come with their surroundings, and
 * the simulated attacks made from the same images (one seed). Thresholds and figures: LIVENESS.md.
 */
describe('passive liveness on genuine faces and simulated attacks', () => {
  const engine = getFaceEngine();
  const genuine = [
    ...readdirSync(new URL('expressions/', fixtures)).map((f) => `expressions/${f}`),
    'misc/faces.jpg',
  ];
  const scoresOf = async (bytes: Buffer) => {
    const { faces } = await engine.detect(await loadImage(bytes), { maxFaces: 10, withLiveness: true });
    return faces.map((f) => f.liveness!);
  };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  let genuineScores: number[] = [];

  before(async () => {
    genuineScores = (await Promise.all(genuine.map((f) => scoresOf(fixture(f))))).flat().map((s) => s.score);
  });

  it('passes most genuine faces at NORMAL', () => {
    assert.ok(genuineScores.length >= 12, `${genuineScores.length} faces`);
    const passing = genuineScores.filter((s) => s >= LIVENESS_THRESHOLDS.NORMAL).length;
    assert.ok(passing / genuineScores.length >= 0.7, `${passing}/${genuineScores.length} pass NORMAL`);
  });

  for (const type of ATTACK_TYPES)
    it(`scores ${type} attacks lower than the genuine faces on average`, async () => {
      const scores: number[] = [];
      for (const f of genuine)
        scores.push(...(await scoresOf(await simulateAttack(type, fixture(f), 1))).map((s) => s.score));
      assert.ok(scores.length >= 8, `${scores.length} faces found`);
      assert.ok(
        mean(scores) < mean(genuineScores) - 0.1,
        `${type}: mean ${mean(scores)} vs genuine ${mean(genuineScores)}`,
      );
    });

  it('reports MiniFASNet next to the other models, and a tight face crop fails (no context to judge)', async () => {
    const [s] = await scoresOf(fixture('amy/amy1.png'));
    assert.ok(s && s.pad >= 0 && s.pad <= 1 && s.antispoof >= 0 && s.liveness >= 0);
    assert.ok(s.score < LIVENESS_THRESHOLDS.LOW, `tight crop scored ${s.score}`);
  });
});
