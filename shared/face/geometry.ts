import * as tf from '@tensorflow/tfjs-core';

/**
 * Crops as affine maps. All coordinates are continuous pixel coordinates (pixel i spans [i, i+1)), in the
 * inference image unless stated otherwise. A `Crop` is a square window of `size` image pixels centred at
 * (cx, cy) and rotated by `angle` radians (clockwise, y down), sampled into an `out` x `out` tensor.
 * Sampling goes through one `tf.image.transform` per crop, so rotation, scaling and border padding cost
 * a single pass over the output pixels and never touch the rest of the image.
 */
export interface Crop {
  cx: number;
  cy: number;
  size: number;
  angle: number;
  out: number;
}

export type Pt = [number, number];

/** Crop pixel coordinates -> image coordinates. */
export function cropToImage(c: Crop, u: number, v: number): Pt {
  const k = c.size / c.out;
  const du = (u - c.out / 2) * k;
  const dv = (v - c.out / 2) * k;
  const cos = Math.cos(c.angle);
  const sin = Math.sin(c.angle);
  return [c.cx + cos * du - sin * dv, c.cy + sin * du + cos * dv];
}

/**
 * Samples `crop` from `image` ([1, H, W, C]). Outside the image, `fill: 'nearest'` replicates the border
 * (keeps tight face crops looking like faces to the models); a number fills with that value.
 */
export function sampleCrop(
  image: tf.Tensor4D,
  crop: Crop,
  fill: 'nearest' | number = 'nearest',
): tf.Tensor4D {
  // transform() maps output pixel *indices* to input indices: shift by half a pixel on both sides.
  const [x0, y0] = cropToImage(crop, 0.5, 0.5);
  const [x1, y1] = cropToImage(crop, 1.5, 0.5);
  const [x2, y2] = cropToImage(crop, 0.5, 1.5);
  const matrix = tf.tensor2d([[x1 - x0, x2 - x0, x0 - 0.5, y1 - y0, y2 - y0, y0 - 0.5, 0, 0]]);
  const out = tf.image.transform(
    image,
    matrix,
    'bilinear',
    fill === 'nearest' ? 'nearest' : 'constant',
    fill === 'nearest' ? 0 : fill,
    [crop.out, crop.out],
  );
  matrix.dispose();
  return out;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function iou(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** Intersection over the smaller area: 1 when one rectangle contains the other. */
export function overlapOfSmaller(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.min(a.width * a.height, b.width * b.height);
}

/** Greedy non-maximum suppression, best score first. */
export function nms<T extends { box: Rect; score: number }>(items: T[], threshold: number): T[] {
  const kept: T[] = [];
  for (const item of [...items].sort((a, b) => b.score - a.score)) {
    if (kept.every((k) => iou(k.box, item.box) < threshold)) kept.push(item);
  }
  return kept;
}

export function boundingRect(points: Pt[]): Rect {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of points) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

export const mean = (points: Pt[]): Pt => [
  points.reduce((s, p) => s + p[0], 0) / points.length,
  points.reduce((s, p) => s + p[1], 0) / points.length,
];

/**
 * The square crop whose similarity transform (rotation, uniform scale, translation) best maps
 * `template` (crop pixel coordinates) onto `points` (image coordinates), in the least-squares sense
 * (Umeyama without reflection).
 */
export function alignCrop(points: Pt[], template: Pt[], out: number): Crop {
  const mp = mean(points);
  const mt = mean(template);
  let dot = 0;
  let crossSum = 0;
  let norm = 0;
  points.forEach(([px, py], i) => {
    const [tx, ty] = template[i]!;
    const [qx, qy] = [tx - mt[0], ty - mt[1]];
    const [rx, ry] = [px - mp[0], py - mp[1]];
    dot += qx * rx + qy * ry;
    crossSum += qx * ry - qy * rx;
    norm += qx * qx + qy * qy;
  });
  const angle = Math.atan2(crossSum, dot);
  const scale = Math.hypot(dot, crossSum) / norm;
  // Where the crop's centre lands in the image.
  const [du, dv] = [out / 2 - mt[0], out / 2 - mt[1]];
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  return {
    cx: mp[0] + scale * (cos * du - sin * dv),
    cy: mp[1] + scale * (sin * du + cos * dv),
    size: scale * out,
    angle,
    out,
  };
}
