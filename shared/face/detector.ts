import * as tf from '@tensorflow/tfjs-core';
import { cropToImage, nms, sampleCrop, type Crop, type Pt, type Rect } from './geometry.ts';
import type { FaceModel } from './models.ts';

/**
 * BlazeFace (MediaPipe, "back camera" 256x256 variant shipped with Human): 896 anchors, each with a face
 * logit, a box and six keypoints (eyes, nose tip, mouth centre, ear tragions).
 */
const INPUT = 256;

export interface Detection {
  /** Tight face box (roughly brows to chin) in image coordinates. */
  box: Rect;
  score: number;
  /** [eye nearer image left, other eye, nose tip, mouth centre, ear, ear] for an upright face. */
  keypoints: Pt[];
}

const ANCHORS: Pt[] = (() => {
  const anchors: Pt[] = [];
  // Two feature maps: stride 16 with 2 anchors per cell, stride 32 with 6.
  for (const [stride, perCell] of [
    [16, 2],
    [32, 6],
  ] as const) {
    const cells = INPUT / stride;
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let n = 0; n < perCell; n++) anchors.push([(x + 0.5) * stride, (y + 0.5) * stride]);
      }
    }
  }
  return anchors;
})();

export interface DetectorOptions {
  minScore: number;
  iouThreshold: number;
  /**
   * Extra border around the image, as a fraction of its longer side, filled by replicating edge pixels.
   * Tight face crops need it: BlazeFace does not find a face that fills the whole frame.
   */
  padding: number;
}

/**
 * The detector's 256x256 input (-1..1) and the map from its pixels back to image pixels. Without padding
 * the image is resized into the top-left corner (a plain resize is far cheaper than an affine sample);
 * with padding it is sampled into the centre of a larger, edge-replicated square.
 */
function detectorInput(
  image: tf.Tensor4D,
  padding: number,
): { input: tf.Tensor4D; toImage: (u: number, v: number) => Pt } {
  const [, height, width] = image.shape;
  if (padding > 0) {
    const window: Crop = {
      cx: width / 2,
      cy: height / 2,
      size: Math.max(width, height) * (1 + 2 * padding),
      angle: 0,
      out: INPUT,
    };
    const input = tf.tidy(() => tf.sub<tf.Tensor4D>(tf.div(sampleCrop(image, window), 127.5), 1));
    return { input, toImage: (u, v) => cropToImage(window, u, v) };
  }
  const scale = INPUT / Math.max(width, height);
  const [w, h] = [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
  const input = tf.tidy(() => {
    const resized = tf.sub<tf.Tensor4D>(tf.div(tf.image.resizeBilinear(image, [h, w]), 127.5), 1);
    return tf.pad<tf.Tensor4D>(resized, [
      [0, 0],
      [0, INPUT - h],
      [0, INPUT - w],
      [0, 0],
    ]);
  });
  return { input, toImage: (u, v) => [(u * width) / w, (v * height) / h] };
}

/** `image`: [1, H, W, 3] float32 RGB 0..255. */
export async function detect(
  model: FaceModel,
  image: tf.Tensor4D,
  opts: DetectorOptions,
): Promise<Detection[]> {
  const { input, toImage } = detectorInput(image, opts.padding);
  const outputs = model.execute(input) as tf.Tensor[];
  input.dispose();
  // The converted graph returns scores and regressors per feature map: 384 (stride 32) < 512 (stride 16).
  const sorted = [...outputs].sort((a, b) => a.size - b.size);
  const [s32, s16, r32, r16] = await Promise.all(sorted.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(outputs);
  if (!s32 || !s16 || !r32 || !r16) throw new Error('Unexpected BlazeFace outputs');
  const logits = [...s16, ...s32];
  const minLogit = Math.log(opts.minScore / (1 - opts.minScore));
  const candidates: Detection[] = [];
  for (let i = 0; i < logits.length; i++) {
    if (logits[i]! < minLogit) continue;
    const regs =
      i < s16.length
        ? r16.subarray(i * 16, i * 16 + 16)
        : r32.subarray((i - s16.length) * 16, (i - s16.length) * 16 + 16);
    const [ax, ay] = ANCHORS[i]!;
    const cx = ax + regs[0]!;
    const cy = ay + regs[1]!;
    const [x0, y0] = toImage(cx - regs[2]! / 2, cy - regs[3]! / 2);
    const [x1, y1] = toImage(cx + regs[2]! / 2, cy + regs[3]! / 2);
    const keypoints: Pt[] = [];
    for (let k = 0; k < 6; k++) keypoints.push(toImage(ax + regs[4 + 2 * k]!, ay + regs[5 + 2 * k]!));
    candidates.push({
      box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
      score: 1 / (1 + Math.exp(-logits[i]!)),
      keypoints,
    });
  }
  return nms(candidates, opts.iouThreshold);
}
