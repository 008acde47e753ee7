import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { GraphModel } from '@tensorflow/tfjs-converter';
import { optimizeGraph, type GraphNode } from './graph-optimizer.ts';
import { initBackend, readArtifacts, type GraphModelName } from './models.ts';

const ops = (artifacts: tf.io.ModelArtifacts) =>
  (artifacts.modelTopology as { node: GraphNode[] }).node.map((n) => n.op);

function instantiate(artifacts: tf.io.ModelArtifacts) {
  const model = new GraphModel(tf.io.fromMemorySync(artifacts));
  model.load();
  return model;
}

/** Largest absolute difference between the outputs of the original and the optimised graph. */
async function maxDifference(name: GraphModelName, shape: number[], inputSize?: number) {
  const original = readArtifacts(name);
  const { artifacts, fused } = await optimizeGraph(original, { inputSize });
  const x = tf.randomUniform(shape, 0, 1, 'float32', 7);
  const [a, b] = [instantiate(original), instantiate(artifacts)].map(
    (m) => [m.execute(x)].flat() as tf.Tensor[],
  );
  let diff = 0;
  a!.forEach((t, i) => {
    const [u, v] = [t.dataSync(), b![i]!.dataSync()];
    for (let k = 0; k < u.length; k++) diff = Math.max(diff, Math.abs(u[k]! - v[k]!));
  });
  tf.dispose([x, ...a!, ...b!]);
  return { diff, fused, before: ops(original), after: ops(artifacts) };
}

describe('graph optimizer', () => {
  before(() => initBackend());

  it('fuses faceres convolutions, batch norms and clips without changing its outputs', async () => {
    const r = await maxDifference('faceres', [1, 224, 224, 3]);
    assert.equal(r.fused, 27);
    for (const op of ['Minimum', 'Maximum', 'Relu', 'Conv2D', 'DepthwiseConv2dNative']) {
      assert.ok(r.before.includes(op) && !r.after.includes(op), op);
    }
    assert.ok(r.diff < 1e-4, `max difference ${r.diff}`);
  });

  it('leaves already-fused graphs unchanged', async () => {
    const r = await maxDifference('facemesh', [1, 192, 192, 3]);
    assert.equal(r.fused, 0);
    assert.deepEqual(
      r.after.filter((op) => op !== 'Const'),
      r.before.filter((op) => op !== 'Const'),
    );
    assert.equal(r.diff, 0);
  });

  it('declares another input size for a fully convolutional model', async () => {
    const { artifacts } = await optimizeGraph(readArtifacts('faceres'), { inputSize: 160 });
    const model = instantiate(artifacts);
    const out = model.execute(tf.zeros([2, 160, 160, 3])) as tf.Tensor[];
    assert.deepEqual(
      out.map((t) => t.shape).sort(),
      [
        [2, 1],
        [2, 100],
        [2, 1024],
      ].sort(),
    );
    tf.dispose(out);
  });
});
