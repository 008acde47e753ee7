import * as tf from '@tensorflow/tfjs-core';
import type { PthTensor, StateDict } from './pth.ts';

/**
 * MiniFASNet (V1SE and V2, Minivision's Silent-Face-Anti-Spoofing) rebuilt with tfjs-core ops from a
 * PyTorch state_dict, inference only (eval mode: BatchNorm uses its running statistics, dropout is off).
 *
 * Layout, read from the checkpoint's keys (the two variants differ only in channel widths and in the SE
 * blocks present, which the keys tell):
 *
 *   conv1       3x3 stride 2 conv + BN + PReLU                    80 -> 40
 *   conv2_dw    3x3 depthwise + BN + PReLU
 *   conv_23     bottleneck (1x1 expand, 3x3 depthwise stride 2, 1x1 linear projection)   40 -> 20
 *   conv_3      residual bottlenecks (the last one with squeeze-excitation in *SE models)
 *   conv_34     bottleneck stride 2                                20 -> 10
 *   conv_4      residual bottlenecks
 *   conv_45     bottleneck stride 2                                10 -> 5
 *   conv_5      residual bottlenecks
 *   conv_6_sep  1x1 conv + BN + PReLU to 512 channels
 *   conv_6_dw   5x5 depthwise, no padding, + BN (linear): one value per channel
 *   linear      512 -> 128 (no bias) + BatchNorm1d
 *   prob        128 -> 3 logits (class 1 = real face)
 *
 * Every BatchNorm is folded into the preceding convolution / linear layer at load time; PyTorch's
 * symmetric padding of 1 on 3x3 kernels is passed explicitly (tfjs 'same' would pad bottom/right only on
 * the stride-2 layers). Input: NHWC float32, BGR channel order, 0..255 (upstream feeds cv2 pixels
 * without scaling), 80x80.
 */

export const MINIFASNET_INPUT = 80;
const BN_EPS = 1e-5;

/** Called with every stage's output when given (for numerical comparison with the reference). */
export type Tap = (name: string, t: tf.Tensor) => void;

export interface MiniFASNet {
  readonly variant: 'V1SE' | 'V2' | string;
  /** [n, 80, 80, 3] BGR 0..255 -> [n, 3] logits. Call inside tf.tidy or dispose the result. */
  logits(x: tf.Tensor4D, tap?: Tap): tf.Tensor2D;
  dispose(): void;
}

interface ConvLayer {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  depthwise: boolean;
  stride: number;
  pad: number;
  prelu?: tf.Tensor1D;
}

interface Bottleneck {
  expand: ConvLayer;
  depthwise: ConvLayer;
  project: ConvLayer;
  residual: boolean;
  se?: { w1: tf.Tensor2D; b1: tf.Tensor1D; w2: tf.Tensor2D; b2: tf.Tensor1D };
}

/** Scale and shift of an eval-mode BatchNorm: y = x * scale + shift. */
function bnAffine(sd: StateDict, prefix: string): { scale: Float32Array; shift: Float32Array } {
  const gamma = take(sd, `${prefix}.weight`).data;
  const beta = take(sd, `${prefix}.bias`).data;
  const mean = take(sd, `${prefix}.running_mean`).data;
  const variance = take(sd, `${prefix}.running_var`).data;
  const scale = gamma.map((g, i) => g / Math.sqrt(variance[i]! + BN_EPS));
  const shift = beta.map((b, i) => b - mean[i]! * scale[i]!);
  return { scale, shift };
}

function take(sd: StateDict, key: string): PthTensor {
  const t = sd.get(key);
  if (!t) throw new Error(`MiniFASNet: weight ${key} missing from the checkpoint`);
  return t;
}

/**
 * Conv (PyTorch [out, in/groups, kh, kw], no bias) with its BatchNorm folded in, as a tfjs filter:
 * [kh, kw, in, out] for a full conv, [kh, kw, channels, 1] for a depthwise one.
 */
function convLayer(sd: StateDict, prefix: string, stride: number, bn = `${prefix}.bn`): ConvLayer {
  const w = take(sd, `${prefix}.conv.weight`);
  const [out, inPerGroup, kh, kw] = w.shape as [number, number, number, number];
  const { scale, shift } = bnAffine(sd, bn);
  const depthwise = inPerGroup === 1 && out > 1;
  const folded = new Float32Array(w.data.length);
  const per = inPerGroup * kh * kw;
  for (let o = 0; o < out; o++)
    for (let j = 0; j < per; j++) folded[o * per + j] = w.data[o * per + j]! * scale[o]!;
  const filter = tf.tidy(() => {
    const t = tf.tensor4d(folded, [out, inPerGroup, kh, kw]);
    return depthwise ? tf.transpose(t, [2, 3, 0, 1]) : tf.transpose(t, [2, 3, 1, 0]);
  });
  const preluKey = `${prefix}.prelu.weight`;
  return {
    filter: filter as tf.Tensor4D,
    bias: tf.tensor1d(shift),
    depthwise,
    stride,
    pad: kh === 3 ? 1 : 0,
    prelu: sd.has(preluKey) ? tf.tensor1d(take(sd, preluKey).data) : undefined,
  };
}

/** 1x1 conv (no bias) + BatchNorm as a dense layer: [in, out] weights and a bias. */
function dense1x1(sd: StateDict, conv: string, bn: string): { w: tf.Tensor2D; b: tf.Tensor1D } {
  const w = take(sd, conv);
  const [out, inp] = w.shape as [number, number];
  const { scale, shift } = bnAffine(sd, bn);
  const t = new Float32Array(inp * out);
  for (let o = 0; o < out; o++)
    for (let i = 0; i < inp; i++) t[i * out + o] = w.data[o * inp + i]! * scale[o]!;
  return { w: tf.tensor2d(t, [inp, out]), b: tf.tensor1d(shift) };
}

function runConv(x: tf.Tensor4D, l: ConvLayer): tf.Tensor4D {
  const common = {
    x,
    filter: l.filter,
    strides: l.stride,
    pad: l.pad,
    bias: l.bias,
    activation: l.prelu ? ('prelu' as const) : ('linear' as const),
    preluActivationWeights: l.prelu,
  };
  return l.depthwise ? tf.fused.depthwiseConv2d(common) : tf.fused.conv2d(common);
}

function bottleneck(sd: StateDict, prefix: string, stride: number, residual: boolean): Bottleneck {
  const se = sd.has(`${prefix}.se_module.fc1.weight`)
    ? (() => {
        const a = dense1x1(sd, `${prefix}.se_module.fc1.weight`, `${prefix}.se_module.bn1`);
        const b = dense1x1(sd, `${prefix}.se_module.fc2.weight`, `${prefix}.se_module.bn2`);
        return { w1: a.w, b1: a.b, w2: b.w, b2: b.b };
      })()
    : undefined;
  return {
    expand: convLayer(sd, `${prefix}.conv`, 1),
    depthwise: convLayer(sd, `${prefix}.conv_dw`, stride),
    project: convLayer(sd, `${prefix}.project`, 1),
    residual,
    se,
  };
}

function runBottleneck(x: tf.Tensor4D, b: Bottleneck): tf.Tensor4D {
  let y = runConv(runConv(runConv(x, b.expand), b.depthwise), b.project);
  if (!b.residual) return y;
  if (b.se) {
    const pooled = tf.mean(y, [1, 2]) as tf.Tensor2D;
    const hidden = tf.relu(tf.add(tf.matMul(pooled, b.se.w1), b.se.b1));
    const gate = tf.sigmoid(tf.add(tf.matMul(hidden, b.se.w2), b.se.b2));
    y = tf.mul(y, tf.reshape(gate, [-1, 1, 1, gate.shape[1]!]));
  }
  return tf.add(x, y);
}

const STAGES = ['conv_3', 'conv_4', 'conv_5'] as const;

/** Builds the network from a state_dict (keys with or without DataParallel's `module.` prefix). */
export function createMiniFASNet(stateDict: StateDict, variant = 'MiniFASNet'): MiniFASNet {
  const sd: StateDict = new Map(
    [...stateDict].map(([k, v]) => [k.startsWith('module.') ? k.slice('module.'.length) : k, v]),
  );
  const blocksOf = (stage: string) => {
    const ids = new Set<number>();
    for (const k of sd.keys()) {
      const m = new RegExp(`^${stage}\\.model\\.(\\d+)\\.`).exec(k);
      if (m) ids.add(Number(m[1]));
    }
    return [...ids].sort((a, b) => a - b).map((i) => bottleneck(sd, `${stage}.model.${i}`, 1, true));
  };
  const conv1 = convLayer(sd, 'conv1', 2);
  const conv2dw = convLayer(sd, 'conv2_dw', 1);
  const conv23 = bottleneck(sd, 'conv_23', 2, false);
  const [stage3, stage4, stage5] = STAGES.map(blocksOf) as [Bottleneck[], Bottleneck[], Bottleneck[]];
  const conv34 = bottleneck(sd, 'conv_34', 2, false);
  const conv45 = bottleneck(sd, 'conv_45', 2, false);
  const conv6sep = convLayer(sd, 'conv_6_sep', 1);
  const conv6dw = convLayer(sd, 'conv_6_dw', 1);
  const linear = dense1x1(sd, 'linear.weight', 'bn');
  const prob = tf.tidy(() =>
    tf.transpose(
      tf.tensor2d(take(sd, 'prob.weight').data, take(sd, 'prob.weight').shape as [number, number]),
    ),
  );
  if (conv6dw.filter.shape[0] !== 5 || !stage3.length || !stage4.length || !stage5.length)
    throw new Error('MiniFASNet: unexpected checkpoint layout (80x80 models have a 5x5 conv_6_dw)');

  const all: tf.Tensor[] = [];
  const collect = (v: unknown) => {
    if (v instanceof tf.Tensor) all.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  collect([conv1, conv2dw, conv23, stage3, conv34, stage4, conv45, stage5, conv6sep, conv6dw, linear, prob]);

  return {
    variant,
    logits(x, tap) {
      if (x.shape[1] !== MINIFASNET_INPUT || x.shape[2] !== MINIFASNET_INPUT || x.shape[3] !== 3)
        throw new Error(`MiniFASNet: input must be [n, 80, 80, 3], got [${x.shape.join(', ')}]`);
      const step = <T extends tf.Tensor>(name: string, t: T): T => {
        tap?.(name, t);
        return t;
      };
      let y = step('conv1', runConv(x, conv1));
      y = step('conv2_dw', runConv(y, conv2dw));
      y = step('conv_23', runBottleneck(y, conv23));
      y = step('conv_3', stage3.reduce(runBottleneck, y));
      y = step('conv_34', runBottleneck(y, conv34));
      y = step('conv_4', stage4.reduce(runBottleneck, y));
      y = step('conv_45', runBottleneck(y, conv45));
      y = step('conv_5', stage5.reduce(runBottleneck, y));
      y = step('conv_6_sep', runConv(y, conv6sep));
      y = step('conv_6_dw', runConv(y, conv6dw));
      const flat = tf.reshape(y, [y.shape[0], -1]) as tf.Tensor2D;
      const embedding = step('bn', tf.add(tf.matMul(flat, linear.w), linear.b));
      return step('prob', tf.matMul(embedding, prob));
    },
    dispose() {
      tf.dispose(all);
    },
  };
}
