import type { Box, DetectedFace } from '../face/engine.ts';

/** Optional parts of the API's Face object a client may ask for with `fields`. */
export const FACE_FIELDS = ['landmarks', 'age', 'gender', 'emotion', 'pose', 'quality'] as const;
export type FaceField = (typeof FACE_FIELDS)[number];

const r1 = (n: number) => Math.round(n * 10) / 10;
const r3 = (n: number) => Math.round(n * 1000) / 1000;

export const presentBox = (b: Box) => ({
  x: Math.round(b.x),
  y: Math.round(b.y),
  width: Math.round(b.width),
  height: Math.round(b.height),
});

const point = (p: { x: number; y: number }) => ({ x: r1(p.x), y: r1(p.y) });

/** The API's Face object: rounded for the wire, limited to the requested fields (box and score always). */
export function presentFace(face: DetectedFace, fields: readonly FaceField[] = FACE_FIELDS) {
  const all = {
    landmarks: () => ({
      leftEye: point(face.landmarks.leftEye),
      rightEye: point(face.landmarks.rightEye),
      nose: point(face.landmarks.nose),
      mouthLeft: point(face.landmarks.mouthLeft),
      mouthRight: point(face.landmarks.mouthRight),
    }),
    age: () => Math.round(face.age),
    gender: () => ({ value: face.gender.value, score: r3(face.gender.score) }),
    emotion: () => ({
      value: face.emotion.value,
      scores: Object.fromEntries(Object.entries(face.emotion.scores).map(([k, v]) => [k, r3(v)])),
    }),
    pose: () => ({ yaw: r1(face.pose.yaw), pitch: r1(face.pose.pitch), roll: r1(face.pose.roll) }),
    quality: () => ({
      faceSize: Math.round(face.quality.faceSize),
      sharpness: r3(face.quality.sharpness),
      brightness: r3(face.quality.brightness),
    }),
  } satisfies Record<FaceField, () => unknown>;
  return {
    box: presentBox(face.box),
    score: r3(face.score),
    ...Object.fromEntries(fields.map((f) => [f, all[f]()])),
  };
}
