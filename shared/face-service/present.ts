import { z } from 'zod';
import { EMOTIONS, type Box, type DetectedFace } from '../face/engine.ts';

/** Optional parts of the API's Face object a client may ask for with `fields`. */
export const FACE_FIELDS = ['landmarks', 'age', 'gender', 'emotion', 'pose', 'quality'] as const;
export type FaceField = (typeof FACE_FIELDS)[number];

const point = z.object({ x: z.number(), y: z.number() });
const emotion = z.enum(EMOTIONS);

/** The wire schemas of what this module builds; openapi/operations.ts publishes them. */
export const boxSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
});
export const faceQualitySchema = z.object({
  faceSize: z.number(),
  sharpness: z.number(),
  brightness: z.number(),
});
export const faceSchema = z.object({
  box: boxSchema,
  score: z.number().min(0).max(1),
  landmarks: z
    .object({ leftEye: point, rightEye: point, nose: point, mouthLeft: point, mouthRight: point })
    .optional(),
  age: z.number().optional(),
  gender: z.object({ value: z.enum(['male', 'female']), score: z.number() }).optional(),
  emotion: z.object({ value: emotion, scores: z.record(emotion, z.number()) }).optional(),
  pose: z
    .object({ yaw: z.number(), pitch: z.number(), roll: z.number() })
    .optional()
    .meta({ description: 'degrees' }),
  quality: faceQualitySchema.optional(),
});
export type ApiFace = z.infer<typeof faceSchema>;

const r1 = (n: number) => Math.round(n * 10) / 10;
const r3 = (n: number) => Math.round(n * 1000) / 1000;

export const presentBox = (b: Box): z.infer<typeof boxSchema> => ({
  x: Math.round(b.x),
  y: Math.round(b.y),
  width: Math.round(b.width),
  height: Math.round(b.height),
});

const presentPoint = (p: { x: number; y: number }) => ({ x: r1(p.x), y: r1(p.y) });

/** The API's Face object: rounded for the wire, limited to the requested fields (box and score always). */
export function presentFace(face: DetectedFace, fields: readonly FaceField[] = FACE_FIELDS): ApiFace {
  const all = {
    landmarks: () => ({
      leftEye: presentPoint(face.landmarks.leftEye),
      rightEye: presentPoint(face.landmarks.rightEye),
      nose: presentPoint(face.landmarks.nose),
      mouthLeft: presentPoint(face.landmarks.mouthLeft),
      mouthRight: presentPoint(face.landmarks.mouthRight),
    }),
    age: () => Math.round(face.age),
    gender: () => ({ value: face.gender.value, score: r3(face.gender.score) }),
    emotion: () => ({
      value: face.emotion.value,
      scores: Object.fromEntries(EMOTIONS.map((e) => [e, r3(face.emotion.scores[e])])) as Record<
        (typeof EMOTIONS)[number],
        number
      >,
    }),
    pose: () => ({ yaw: r1(face.pose.yaw), pitch: r1(face.pose.pitch), roll: r1(face.pose.roll) }),
    quality: () => ({
      faceSize: Math.round(face.quality.faceSize),
      sharpness: r3(face.quality.sharpness),
      brightness: r3(face.quality.brightness),
    }),
  } satisfies { [F in FaceField]-?: () => ApiFace[F] };
  return {
    box: presentBox(face.box),
    score: r3(face.score),
    ...Object.fromEntries(fields.map((f) => [f, all[f]()])),
  };
}
