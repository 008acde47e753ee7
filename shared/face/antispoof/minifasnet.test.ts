import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../models.ts';
import { createMiniFASNet } from './minifasnet.ts';
import { parsePth } from './pth.ts';

/**
 * The tfjs port against PyTorch: reference-outputs.json holds logits and per-stage statistics computed by
 * scripts/verify-antispoof/reference.py (torch, the checkpoints loaded with load_state_dict(strict=True)).
 * Regenerate with:
 *
 *   node --import tsx scripts/verify-antispoof/make-crops.ts && /usr/bin/python3 scripts/verify-antispoof/reference.py
 */

interface Stats {
  sum: number;
  abs: number;
  max: number;
}
interface Reference {
  models: Record<
    string,
    {
      file: string;
      outputs: Record<string, { logits: number[]; softmax: number[]; stages: Record<string, Stats> }>;
    }
  >;
}
const reference = JSON.parse(
  readFileSync(new URL('reference-outputs.json', import.meta.url), 'utf8'),
) as Reference;

/** The reference's LCG: state = 1664525 * state + 1013904223 mod 2^32, value = state >> 24 (80x80x3, HWC BGR). */
export function lcgInput(seed: number): Float32Array {
  const out = new Float32Array(80 * 80 * 3);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

function input(name: string): Float32Array {
  if (name.startsWith('lcg-')) return lcgInput(Number(name.slice(4)));
  return Float32Array.from(readFileSync(new URL(`testdata/${name}`, import.meta.url)));
}

describe('MiniFASNet tfjs port', () => {
  before(() => initBackend());

  for (const [variant, model] of Object.entries(reference.models)) {
    it(`${variant} reproduces PyTorch's logits (max abs diff < 1e-3) and every stage`, () => {
      const net = createMiniFASNet(
        parsePth(readFileSync(new URL(`weights/${model.file}`, import.meta.url))),
        variant,
      );
      try {
        let worst = 0;
        for (const [name, expected] of Object.entries(model.outputs)) {
          const stages: Record<string, Stats> = {};
          const logits = tf.tidy(() =>
            net
              .logits(tf.tensor4d(input(name), [1, 80, 80, 3]), (stage, t) => {
                const a = tf.abs(t);
                stages[stage] = {
                  sum: tf.sum(t).dataSync()[0]!,
                  abs: tf.sum(a).dataSync()[0]!,
                  max: tf.max(a).dataSync()[0]!,
                };
              })
              .dataSync(),
          );
          for (let i = 0; i < 3; i++) worst = Math.max(worst, Math.abs(logits[i]! - expected.logits[i]!));
          for (const [stage, s] of Object.entries(expected.stages)) {
            const got = stages[stage];
            assert.ok(got, `${name}: stage ${stage} not reported`);
            // Float32 sums over up to 51k values: compare relative to the total magnitude.
            assert.ok(
              Math.abs(got.sum - s.sum) <= 1e-4 * s.abs + 1e-3,
              `${name} ${stage} sum ${got.sum} vs ${s.sum}`,
            );
            assert.ok(
              Math.abs(got.abs - s.abs) <= 1e-4 * s.abs + 1e-3,
              `${name} ${stage} abs ${got.abs} vs ${s.abs}`,
            );
            assert.ok(
              Math.abs(got.max - s.max) <= 1e-4 * s.max + 1e-4,
              `${name} ${stage} max ${got.max} vs ${s.max}`,
            );
          }
        }
        assert.ok(worst < 1e-3, `max abs logit difference ${worst}`);
      } finally {
        net.dispose();
      }
    });
  }

  it('batches: each row of a batch equals the single-image result', () => {
    const model = reference.models.V2!;
    const net = createMiniFASNet(parsePth(readFileSync(new URL(`weights/${model.file}`, import.meta.url))));
    try {
      const names = Object.keys(model.outputs);
      const batch = tf.tidy(() =>
        net.logits(tf.concat(names.map((n) => tf.tensor4d(input(n), [1, 80, 80, 3])))).arraySync(),
      );
      names.forEach((n, i) =>
        batch[i]!.forEach((v, j) => assert.ok(Math.abs(v - model.outputs[n]!.logits[j]!) < 1e-3, n)),
      );
    } finally {
      net.dispose();
    }
  });
});
