import { z } from 'zod';
import { getFaceEngine } from '../face/default-engine.ts';
import { decodeInput, resolveImageInput, type ImageSource } from '../image-input.ts';
import { FACE_FIELDS, faceSchema, presentFace, type ApiFace, type FaceField } from './present.ts';
import { recordCacheLookup } from '../metrics.ts';
import { resultCacheKey } from '../store/keys.ts';
import { cached, remember } from './result-cache.ts';

/** The body of POST /v1/faces/detect. */
export const detectResultSchema = z.object({
  imageWidth: z.number().int(),
  imageHeight: z.number().int(),
  faceCount: z.number().int(),
  faces: z.array(faceSchema),
  cached: z.boolean(),
});
type DetectResult = z.infer<typeof detectResultSchema>;
/** What the cache keeps: the result with every field, before projection. */
type DetectPayload = Omit<DetectResult, 'cached'>;

export interface DetectRequest {
  maxFaces: number;
  fields?: FaceField[];
}

/** Keeps box and score, plus only the requested optional fields. */
function project(payload: DetectPayload, fields: readonly FaceField[]): DetectPayload {
  if (fields.length === FACE_FIELDS.length) return payload;
  const keep = new Set<string>(['box', 'score', ...fields]);
  return {
    ...payload,
    faces: payload.faces.map(
      (f) => Object.fromEntries(Object.entries(f).filter(([k]) => keep.has(k))) as ApiFace,
    ),
  };
}

/**
 * Detects faces with all attributes. The full result is cached per image hash and `maxFaces`, and
 * `fields` is applied on the way out, so asking for fewer fields reuses the same cache entry.
 */
export async function detectFaces(
  userId: string,
  source: ImageSource,
  req: DetectRequest,
): Promise<DetectResult> {
  const fields = req.fields ?? FACE_FIELDS;
  const input = await resolveImageInput(userId, source);
  const key = resultCacheKey(userId, 'detect', input.sha256, `max${req.maxFaces}`);
  const hit = await cached<DetectPayload>(key);
  recordCacheLookup('detect', !!hit);
  if (hit) return { ...project(hit, fields), cached: true };

  const image = await decodeInput(input);
  const result = await getFaceEngine().detect(image, { maxFaces: req.maxFaces });
  const payload: DetectPayload = {
    imageWidth: result.imageWidth,
    imageHeight: result.imageHeight,
    faceCount: result.faces.length,
    faces: result.faces.map((f) => presentFace(f)),
  };
  await remember(key, payload);
  return { ...project(payload, fields), cached: false };
}
