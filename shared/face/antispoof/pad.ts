import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { Rect } from '../geometry.ts';
import { ANTISPOOF_WEIGHTS, findModelFile, initBackend } from '../models.ts';
import { createMiniFASNet, MINIFASNET_INPUT, type MiniFASNet } from './minifasnet.ts';
import { parsePth } from './pth.ts';

/**
 * Passive presentation-attack detection (PAD) with Minivision's two MiniFASNet models, the way their
 * predictor runs them: each model sees its own context crop around the face (the face box scaled 2.7x and
 * 4.0x around its centre, shifted back inside the image, clipped to the image's size), resized to 80x80,
 * BGR, raw 0..255 values; the face is real when class 1 of the summed softmaxes wins. We return the mean
 * of the two class-1 probabilities (0..1, higher = real).
 *
 * The box should be a face-detector box (upstream used an SSD/RetinaFace-style box: roughly brow to chin,
 * cheek to cheek). Ours is FaceMesh's bounding rect, which is close to that (see LIVENESS.md).
 */

export const PAD_MODELS = [
  { file: ANTISPOOF_WEIGHTS[0], variant: 'V2', scale: 2.7 },
  { file: ANTISPOOF_WEIGHTS[1], variant: 'V1SE', scale: 4.0 },
] as const;

/** Class index of "real face" in the models' 3 logits. */
const REAL = 1;

/**
 * Upstream's crop window for a face box in an image of `srcW` x `srcH` pixels: inclusive integer pixel
 * bounds [left, right] x [top, bottom]. The scale shrinks when the scaled box would not fit the image;
 * a window crossing an edge is shifted back inside, not clipped.
 */
export function contextWindow(
  srcW: number,
  srcH: number,
  box: Rect,
  scale: number,
): { left: number; top: number; right: number; bottom: number } {
  const s = Math.min((srcH - 1) / box.height, (srcW - 1) / box.width, scale);
  const w = box.width * s;
  const h = box.height * s;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  let left = cx - w / 2;
  let top = cy - h / 2;
  let right = cx + w / 2;
  let bottom = cy + h / 2;
  if (left < 0) {
    right -= left;
    left = 0;
  }
  if (top < 0) {
    bottom -= top;
    top = 0;
  }
  if (right > srcW - 1) {
    left -= right - srcW + 1;
    right = srcW - 1;
  }
  if (bottom > srcH - 1) {
    top -= bottom - srcH + 1;
    bottom = srcH - 1;
  }
  // Python's int(): towards zero; the shifts above keep every bound >= 0 up to rounding error.
  const int = (v: number) => Math.max(0, Math.trunc(v));
  return { left: int(left), top: int(top), right: int(right), bottom: int(bottom) };
}

/**
 * One model's input for one face: [1, 80, 80, 3] BGR 0..255 from `image` ([1, H, W, 3] RGB 0..255).
 * Bilinear with half-pixel centres and no antialiasing, like cv2.resize's INTER_LINEAR.
 */
export function contextCrop(image: tf.Tensor4D, box: Rect, scale: number): tf.Tensor4D {
  const [, height, width] = image.shape;
  const { left, top, right, bottom } = contextWindow(width, height, box, scale);
  return tf.tidy(() => {
    const patch = tf.slice(image, [0, top, left, 0], [1, bottom - top + 1, right - left + 1, 3]);
    const resized = tf.image.resizeBilinear(patch, [MINIFASNET_INPUT, MINIFASNET_INPUT], false, true);
    return tf.reverse(resized, 3); // RGB -> BGR
  });
}

export interface Antispoof {
  /**
   * Real-face probability per box (boxes in `image` pixels), as a [n] tensor: the mean of the two models'
   * softmax class 1. Synchronous graph building, for use inside the caller's tf.tidy.
   */
  realProbability(image: tf.Tensor4D, boxes: Rect[]): tf.Tensor1D;
  /** The same, downloaded; also each model's own probability (for benchmarks and tests). */
  score(image: tf.Tensor4D, boxes: Rect[]): Promise<{ score: number; perModel: number[] }[]>;
}

function build(nets: MiniFASNet[]): Antispoof {
  const perModel = (image: tf.Tensor4D, boxes: Rect[]) =>
    nets.map((net, m) => {
      const crops = tf.concat(boxes.map((b) => contextCrop(image, b, PAD_MODELS[m]!.scale)));
      return tf.reshape(tf.slice(tf.softmax(net.logits(crops)), [0, REAL], [-1, 1]), [-1]) as tf.Tensor1D;
    });
  return {
    realProbability(image, boxes) {
      return tf.tidy(() => tf.div(tf.addN(perModel(image, boxes)), nets.length) as tf.Tensor1D);
    },
    async score(image, boxes) {
      if (boxes.length === 0) return [];
      const probs = tf.tidy(() => tf.stack(perModel(image, boxes), 1));
      const data = await probs.data();
      probs.dispose();
      return boxes.map((_, i) => {
        const per = nets.map((__, m) => data[i * nets.length + m]!);
        return { score: per.reduce((a, b) => a + b, 0) / per.length, perModel: per };
      });
    },
  };
}

let loading: Promise<Antispoof> | undefined;

/**
 * Reads both checkpoints (FACE_MODELS_DIR, else shared/face/antispoof/weights), builds the networks and
 * runs them once on zeros; once per process, concurrent callers share the load, a failure may be retried.
 */
export function loadAntispoof(): Promise<Antispoof> {
  loading ??= (async () => {
    await initBackend();
    const nets = PAD_MODELS.map((m) =>
      createMiniFASNet(parsePth(readFileSync(findModelFile(m.file))), m.variant),
    );
    const antispoof = build(nets);
    tf.tidy(() =>
      antispoof
        .realProbability(tf.zeros([1, 96, 96, 3]), [{ x: 24, y: 24, width: 48, height: 48 }])
        .dataSync(),
    );
    return antispoof;
  })().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/**
 * The value `LivenessScores.score` reports and LIVENESS_THRESHOLDS apply to: MiniFASNet alone. Measured
 * with bench/pad.ts, Human's `antispoof` does not separate genuine faces from our simulated attacks (AUC
 * 0.58) and adding its `liveness` (sqrt(pad * liveness)) moved the overall AUC only from 0.88 to 0.90,
 * trading better low-dynamic-range and screen rejection for worse print rejection, at equal genuine pass
 * rates: not a measurable gain, so they stay reported but unweighted.
 */
export function livenessScore(s: { antispoof: number; liveness: number; pad: number }): number {
  return s.pad;
}
