import * as tf from '@tensorflow/tfjs-core';
import type { Detection } from './detector.ts';
import { cropToImage, mean, sampleCrop, type Crop, type Pt } from './geometry.ts';
import type { FaceModel } from './models.ts';

/** MediaPipe FaceMesh: 468 3-D points from a 192x192 face crop, plus a face-presence score. */
const INPUT = 192;
/** Crop side relative to the detector box (MediaPipe's and Human's 1.4: room for forehead and chin). */
const DETECTOR_BOX_SCALE = 1.4;

// Mesh indices (MediaPipe topology). "Image-left" = the subject's right side in an upright, unmirrored face.
const EYE_IMAGE_LEFT = [246, 161, 160, 159, 158, 157, 173, 33, 7, 163, 144, 145, 153, 154, 155, 133];
const EYE_IMAGE_RIGHT = [466, 388, 387, 386, 385, 384, 398, 263, 249, 390, 373, 374, 380, 381, 382, 362];
const NOSE_TIP = 1;
const MOUTH_IMAGE_LEFT = 61;
const MOUTH_IMAGE_RIGHT = 291;
/** Between the brows and the lower lip's centre: both on the face's front plane (forehead top and chin are not). */
const GLABELLA = 8;
const LOWER_LIP = 17;
const CHEEK_IMAGE_LEFT = 234;
const CHEEK_IMAGE_RIGHT = 454;

export interface Mesh {
  /** 468 points (x, y in image pixels; z in the same unit, relative depth). */
  points: [number, number, number][];
  /** Face-presence confidence of the mesh model, 0..1. */
  score: number;
}

export interface FivePoints {
  leftEye: Pt;
  rightEye: Pt;
  nose: Pt;
  mouthLeft: Pt;
  mouthRight: Pt;
}

/** Roll of the detector's eye line: the mesh crop is rotated upright before inference. */
function detectorRoll(d: Detection): number {
  const [a, b] = d.keypoints;
  return a && b ? Math.atan2(b[1] - a[1], b[0] - a[0]) : 0;
}

export function meshCrop(d: Detection): Crop {
  return {
    cx: d.box.x + d.box.width / 2,
    cy: d.box.y + d.box.height / 2,
    size: Math.max(d.box.width, d.box.height) * DETECTOR_BOX_SCALE,
    angle: detectorRoll(d),
    out: INPUT,
  };
}

/**
 * Runs FaceMesh on all `crops` in one batch. Also returns the batch of upright face crops
 * ([n, 192, 192, 3], 0..1) so the attribute models reuse them; the caller disposes it.
 */
export async function runMesh(
  model: FaceModel,
  image: tf.Tensor4D,
  crops: Crop[],
): Promise<{ meshes: Mesh[]; faces: tf.Tensor4D }> {
  const faces = tf.tidy(() => tf.div(tf.concat(crops.map((c) => sampleCrop(image, c))), 255) as tf.Tensor4D);
  const outputs = model.execute(faces) as tf.Tensor[];
  const meshT = outputs.find((t) => t.shape[t.shape.length - 1] === 1404);
  const scoreT = outputs.find((t) => t.shape[t.shape.length - 1] === 1);
  if (!meshT || !scoreT) throw new Error('Unexpected FaceMesh outputs');
  const [raw, scores] = await Promise.all([
    meshT.data() as Promise<Float32Array>,
    scoreT.data() as Promise<Float32Array>,
  ]);
  tf.dispose(outputs);
  const meshes = crops.map((crop, f): Mesh => {
    const zScale = crop.size / crop.out;
    const points: [number, number, number][] = [];
    for (let i = f * 1404; i < (f + 1) * 1404; i += 3) {
      const [x, y] = cropToImage(crop, raw[i]!, raw[i + 1]!);
      points.push([x, y, raw[i + 2]! * zScale]);
    }
    return { points, score: scores[f] ?? 0 };
  });
  return { meshes, faces };
}

const xy = (p: [number, number, number]): Pt => [p[0], p[1]];

export function fivePoints(mesh: Mesh): FivePoints {
  const at = (i: number) => xy(mesh.points[i]!);
  return {
    leftEye: mean(EYE_IMAGE_LEFT.map(at)),
    rightEye: mean(EYE_IMAGE_RIGHT.map(at)),
    nose: at(NOSE_TIP),
    mouthLeft: at(MOUTH_IMAGE_LEFT),
    mouthRight: at(MOUTH_IMAGE_RIGHT),
  };
}

type Vec3 = [number, number, number];

/** Eyelid and lip pairs (MediaPipe topology): three vertical gaps and the corner-to-corner width. */
const EYE_IMAGE_LEFT_GAPS: [number, number][] = [
  [160, 144],
  [159, 145],
  [158, 153],
];
const EYE_IMAGE_LEFT_CORNERS: [number, number] = [33, 133];
const EYE_IMAGE_RIGHT_GAPS: [number, number][] = [
  [387, 373],
  [386, 374],
  [385, 380],
];
const EYE_IMAGE_RIGHT_CORNERS: [number, number] = [263, 362];
const MOUTH_GAPS: [number, number][] = [
  [82, 87],
  [13, 14],
  [312, 317],
];
const MOUTH_CORNERS: [number, number] = [78, 308];

/**
 * Mean vertical gap over the corner-to-corner width (the "aspect ratio" of blink detectors), in 3-D so
 * that a turned head does not shrink the width alone.
 */
function aspect(mesh: Mesh, gaps: [number, number][], [a, b]: [number, number]): number {
  const d = (i: number, j: number) => Math.hypot(...sub(mesh.points[i]!, mesh.points[j]!));
  const width = d(a, b);
  if (width === 0) return 0;
  return gaps.reduce((sum, [i, j]) => sum + d(i, j), 0) / gaps.length / width;
}

/**
 * Eye and mouth openness: eyes ~0.25-0.35 open, below ~0.15 closed; mouth ~0-0.1 closed, above ~0.35
 * wide open. `eyes` is the mean of both eyes (a wink is not a blink).
 */
export function openness(mesh: Mesh): { eyes: number; mouth: number } {
  const left = aspect(mesh, EYE_IMAGE_LEFT_GAPS, EYE_IMAGE_LEFT_CORNERS);
  const right = aspect(mesh, EYE_IMAGE_RIGHT_GAPS, EYE_IMAGE_RIGHT_CORNERS);
  return { eyes: (left + right) / 2, mouth: aspect(mesh, MOUTH_GAPS, MOUTH_CORNERS) };
}
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const unit = (v: Vec3): Vec3 => {
  const n = Math.hypot(...v) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
};
const degrees = (rad: number) => (rad * 180) / Math.PI;

/**
 * Head pose from the mesh's own 3-D frame: x axis cheek to cheek, y axis brows to lower lip, z their
 * normal. Degrees; yaw > 0 when the face turns towards the image's right, pitch > 0 when it looks
 * down, roll > 0 when it tilts clockwise.
 */
export function headPose(mesh: Mesh): { yaw: number; pitch: number; roll: number } {
  const p = (i: number) => mesh.points[i]!;
  const y = unit(sub(p(LOWER_LIP), p(GLABELLA)));
  let x = unit(sub(p(CHEEK_IMAGE_RIGHT), p(CHEEK_IMAGE_LEFT)));
  const z = unit(cross(x, y));
  x = cross(y, z);
  return {
    yaw: degrees(Math.atan2(-z[0], x[0])),
    pitch: degrees(Math.atan2(y[2], y[1])),
    roll: degrees(Math.atan2(x[1], Math.hypot(x[0], x[2]))),
  };
}
