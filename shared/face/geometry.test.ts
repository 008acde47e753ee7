import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignCrop, cropToImage, nms, overlapOfSmaller, type Pt } from './geometry.ts';

const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

describe('geometry', () => {
  it('alignCrop recovers a rotation, scale and shift exactly', () => {
    const template: Pt[] = [
      [40, 40],
      [110, 40],
      [75, 80],
      [50, 110],
      [100, 110],
    ];
    const truth = { cx: 300, cy: 200, size: 300, angle: 0.3, out: 150 };
    const points = template.map(([u, v]) => cropToImage(truth, u, v));
    const crop = alignCrop(points, template, 150);
    for (const k of ['cx', 'cy', 'size', 'angle'] as const) close(crop[k], truth[k]);
  });

  it('overlapOfSmaller is 1 for a contained box and 0 for disjoint ones', () => {
    const big = { x: 0, y: 0, width: 100, height: 100 };
    assert.equal(overlapOfSmaller(big, { x: 10, y: 10, width: 20, height: 20 }), 1);
    assert.equal(overlapOfSmaller(big, { x: 200, y: 0, width: 20, height: 20 }), 0);
  });

  it('nms keeps the best of overlapping boxes', () => {
    const kept = nms(
      [
        { box: { x: 0, y: 0, width: 10, height: 10 }, score: 0.6 },
        { box: { x: 1, y: 1, width: 10, height: 10 }, score: 0.9 },
        { box: { x: 50, y: 50, width: 10, height: 10 }, score: 0.7 },
      ],
      0.3,
    );
    assert.deepEqual(
      kept.map((k) => k.score),
      [0.9, 0.7],
    );
  });
});
