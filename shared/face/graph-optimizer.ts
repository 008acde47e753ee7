import * as tf from '@tensorflow/tfjs-core';
import type { io } from '@tensorflow/tfjs-core';

/**
 * Load-time rewrite of TF graph-model artifacts for the tfjs WASM backend. Several shipped models
 * (faceres, mobileface) were converted from Keras without op fusion: every convolution is followed by
 * separate batch-norm Mul/Add, Relu and a `clip_by_value` (Minimum/Maximum against scalar constants).
 * On WASM those broadcasting element-wise kernels cost as much as the convolutions themselves, so we:
 *  - fold a per-channel Mul into the convolution filter,
 *  - turn the following per-channel Add into the fused bias,
 *  - turn Relu [+ Minimum(6) + Maximum(0)] (or the clip alone) into the fused Relu/Relu6 activation,
 * producing `_FusedConv2D` / `FusedDepthwiseConv2dNative` nodes (one XNNPACK call each). The maths is
 * unchanged (see graph-optimizer.test.ts, which compares outputs with the original graphs).
 */

interface AttrValue {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: (string | number)[] };
  tensor?: unknown;
  shape?: { dim?: { size: string }[] };
}

export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttrValue>;
  device?: string;
}

interface Topology {
  node: GraphNode[];
  [key: string]: unknown;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const inputName = (ref: string) => ref.replace(/^\^/, '').replace(/:0$/, '');

const CONV_OPS = new Set(['Conv2D', 'DepthwiseConv2dNative']);
const ADD_OPS = new Set(['Add', 'AddV2', 'BiasAdd']);

type Activation = 'Relu' | 'Relu6';

class Graph {
  readonly nodes = new Map<string, GraphNode>();
  readonly consumers = new Map<string, GraphNode[]>();

  constructor(
    topology: Topology,
    readonly weights: Map<string, tf.Tensor>,
  ) {
    for (const node of topology.node) this.nodes.set(node.name, node);
    for (const node of topology.node) {
      for (const ref of node.input ?? []) {
        const name = inputName(ref);
        const list = this.consumers.get(name) ?? [];
        list.push(node);
        this.consumers.set(name, list);
      }
    }
  }

  /** The only consumer of `name`, when there is exactly one. */
  soleConsumer(name: string): GraphNode | undefined {
    const list = this.consumers.get(name);
    return list?.length === 1 ? list[0] : undefined;
  }

  /** Value of a Const input of `node` (the one that is not `from`), if it is a constant. */
  constOperand(node: GraphNode, from: string): { name: string; value: tf.Tensor } | undefined {
    const other = (node.input ?? []).map(inputName).find((n) => n !== from);
    if (!other || this.nodes.get(other)?.op !== 'Const') return undefined;
    const value = this.weights.get(other);
    return value ? { name: other, value } : undefined;
  }

  scalarConst(node: GraphNode, from: string): number | undefined {
    const c = this.constOperand(node, from);
    if (!c || c.value.size !== 1) return undefined;
    return c.value.dataSync()[0];
  }

  remove(node: GraphNode) {
    this.nodes.delete(node.name);
  }
}

const constNode = (name: string, shape: number[]): GraphNode => ({
  name,
  op: 'Const',
  attr: {
    dtype: { type: 'DT_FLOAT' },
    value: {
      tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: shape.map((size) => ({ size: String(size) })) } },
    },
  },
});

/** Follows `from` through Relu / clip(0, 6) nodes; returns the activation and the last node consumed. */
function matchActivation(
  g: Graph,
  from: GraphNode,
): { activation: Activation; chain: GraphNode[] } | undefined {
  const chain: GraphNode[] = [];
  let current = from;
  let activation: Activation | undefined;
  let next = g.soleConsumer(current.name);
  if (next?.op === 'Relu') {
    activation = 'Relu';
    chain.push(next);
    current = next;
    next = g.soleConsumer(current.name);
  } else if (next?.op === 'Relu6') {
    return { activation: 'Relu6', chain: [next] };
  }
  // clip_by_value(x, 0, 6) in either order, with or without the Relu before it.
  const clip: Record<string, number> = { Minimum: 6, Maximum: 0 };
  const seen = new Set<string>();
  while (
    next &&
    next.op in clip &&
    !seen.has(next.op) &&
    g.scalarConst(next, current.name) === clip[next.op]
  ) {
    seen.add(next.op);
    chain.push(next);
    current = next;
    next = g.soleConsumer(current.name);
  }
  if (seen.has('Minimum')) activation = 'Relu6';
  else if (seen.has('Maximum')) activation = activation ?? 'Relu';
  return activation ? { activation, chain } : undefined;
}

/** Per-output-channel vector of a Mul/Add constant, or undefined when it is not broadcast that way. */
function channelVector(value: tf.Tensor, channels: number): Float32Array | undefined {
  const data = value.dataSync() as Float32Array;
  if (value.size === 1) return new Float32Array(channels).fill(data[0]!);
  if (value.size === channels && value.shape[value.shape.length - 1] === channels)
    return Float32Array.from(data);
  return undefined;
}

function fuseConvolutions(g: Graph): number {
  let fused = 0;
  for (const conv of [...g.nodes.values()]) {
    if (!CONV_OPS.has(conv.op) || !g.nodes.has(conv.name)) continue;
    const [xRef, filterRef] = conv.input ?? [];
    const filterName = filterRef && inputName(filterRef);
    const filter =
      filterName && g.nodes.get(filterName)?.op === 'Const' ? g.weights.get(filterName) : undefined;
    if (!xRef || !filter || filter.rank !== 4) continue;
    const [kh, kw, cin, cmul] = filter.shape as [number, number, number, number];
    const channels = conv.op === 'Conv2D' ? cmul : cin * cmul;

    const chain: GraphNode[] = [];
    let last = conv;
    let scale: Float32Array | undefined;
    let bias: Float32Array | undefined;
    let next = g.soleConsumer(last.name);
    if (next?.op === 'Mul') {
      const c = g.constOperand(next, last.name);
      scale = c && channelVector(c.value, channels);
      if (scale) {
        chain.push(next);
        last = next;
        next = g.soleConsumer(last.name);
      }
    }
    if (next && ADD_OPS.has(next.op)) {
      const c = g.constOperand(next, last.name);
      bias = c && channelVector(c.value, channels);
      if (bias) {
        chain.push(next);
        last = next;
      }
    }
    const act = matchActivation(g, last);
    if (act) {
      chain.push(...act.chain);
      last = act.chain[act.chain.length - 1]!;
    }
    if (chain.length === 0) continue;

    let newFilter = filter;
    if (scale) {
      const s = tf.tensor1d(scale);
      newFilter = tf.tidy(() =>
        tf.reshape(
          tf.mul(tf.reshape(filter, [kh, kw, channels === cmul ? cin : 1, channels]), s),
          filter.shape,
        ),
      );
      s.dispose();
    }
    const filterConst = `${last.name}/fused_filter`;
    const biasConst = `${last.name}/fused_bias`;
    g.weights.set(filterConst, newFilter);
    g.weights.set(biasConst, tf.tensor1d(bias ?? new Float32Array(channels)));
    g.nodes.set(filterConst, constNode(filterConst, newFilter.shape));
    g.nodes.set(biasConst, constNode(biasConst, [channels]));
    const fusedOps = ['BiasAdd', ...(act ? [act.activation] : [])];
    // The fused node takes the name of the chain's last node so its consumers need no rewiring.
    g.nodes.set(last.name, {
      name: last.name,
      op: conv.op === 'Conv2D' ? '_FusedConv2D' : 'FusedDepthwiseConv2dNative',
      input: [xRef, filterConst, biasConst],
      attr: {
        ...conv.attr,
        num_args: { i: '1' },
        fused_ops: { list: { s: fusedOps.map(b64) } },
      },
    });
    for (const node of [conv, ...chain]) if (node !== last) g.remove(node);
    fused++;
  }
  return fused;
}

/** Remaining Relu + clip(0, 6) chains (not after a convolution) become a single Relu6. */
function fuseClips(g: Graph): void {
  for (const node of [...g.nodes.values()]) {
    if (!g.nodes.has(node.name)) continue;
    const producer = g.nodes.get(inputName(node.input?.[0] ?? ''));
    if (node.op !== 'Relu' || !producer) continue;
    const act = matchActivation(g, producer);
    if (!act || act.activation !== 'Relu6' || act.chain[0] !== node) continue;
    const last = act.chain[act.chain.length - 1]!;
    g.nodes.set(last.name, {
      name: last.name,
      op: 'Relu6',
      input: [producer.name],
      attr: { T: { type: 'DT_FLOAT' } },
    });
    for (const n of act.chain) if (n !== last) g.remove(n);
  }
}

/** Declares an NHWC placeholder's spatial size, so a fully convolutional model runs at another resolution. */
function setInputSize(g: Graph, size: number): void {
  for (const node of g.nodes.values()) {
    const dims = node.attr?.shape?.shape?.dim;
    if (node.op === 'Placeholder' && dims?.length === 4) {
      dims[1] = { size: String(size) };
      dims[2] = { size: String(size) };
    }
  }
}

/** Returns optimised artifacts (float32 weights) and how many convolutions were fused. */
export async function optimizeGraph(
  artifacts: io.ModelArtifacts,
  options: { inputSize?: number } = {},
): Promise<{ artifacts: io.ModelArtifacts; fused: number }> {
  const topology = structuredClone(artifacts.modelTopology) as Topology;
  const decoded = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  const g = new Graph(topology, new Map(Object.entries(decoded)));
  const fused = fuseConvolutions(g);
  fuseClips(g);
  if (options.inputSize) setInputSize(g, options.inputSize);
  const nodes = [...g.nodes.values()];
  // Keep only constants still referenced, so dropped batch-norm vectors are not uploaded to the backend.
  const used = new Set(nodes.flatMap((n) => (n.input ?? []).map(inputName)));
  const keptNodes = nodes.filter((n) => n.op !== 'Const' || used.has(n.name));
  const keptWeights = keptNodes
    .filter((n) => n.op === 'Const' && g.weights.has(n.name))
    .map((n) => ({ name: n.name, tensor: g.weights.get(n.name)! }));
  const { data, specs } = await tf.io.encodeWeights(keptWeights);
  tf.dispose([...g.weights.values()]);
  return {
    artifacts: {
      ...artifacts,
      modelTopology: { ...topology, node: keptNodes },
      weightSpecs: specs,
      weightData: data,
    },
    fused,
  };
}
