import { z } from 'zod';
import { AppError } from '../errors.ts';
import { type DetectedFace } from '../face/engine.ts';
import { getFaceEngine } from '../face/default-engine.ts';
import { MATCH_LEVEL_SETTINGS, MATCH_LEVELS, type MatchLevel } from '../face/match-levels.ts';
import { decodeInput, resolveImageInput, type ImageInput, type ImageSource } from '../image-input.ts';
import { requireLiveness } from '../liveness/binding.ts';
import { boxSchema, presentBox } from './present.ts';
import { recordCacheLookup } from '../metrics.ts';
import { resultCacheKey } from '../store/keys.ts';
import { cached, remember } from './result-cache.ts';

async function largestFace(input: ImageInput, which: 'a' | 'b'): Promise<DetectedFace> {
  const image = await decodeInput(input);
  const { faces } = await getFaceEngine().detect(image, { maxFaces: 1, withDescriptor: true });
  const face = faces[0];
  if (!face?.descriptor) throw new AppError('NO_FACE', `No face was found in image ${which}.`, { which });
  return face;
}

export interface CompareRequest {
  a: ImageSource;
  b: ImageSource;
  matchLevel: MatchLevel;
  /** Binds the decision to a passed liveness session: image `a` is the live probe. */
  livenessSessionId?: string;
}

/** The body of POST /v1/faces/compare. */
export const compareResultSchema = z.object({
  similarity: z.number().min(0).max(1),
  match: z.boolean(),
  threshold: z.number(),
  matchLevel: z.enum(MATCH_LEVELS),
  falseMatchRate: z.number().meta({ description: 'Stated false-match rate per comparison at `threshold`.' }),
  faceA: z.object({ box: boxSchema }),
  faceB: z.object({ box: boxSchema }),
});
type CompareResult = z.infer<typeof compareResultSchema>;
type Box = CompareResult['faceA']['box'];
/** The cached boxes, keyed by image hash (a/b may come swapped). */
type Boxes = Record<string, Box>;

/**
 * 1:1 verification of the largest face of each image at a match level. The similarity is cached per
 * image pair (the level only moves the threshold), except when a liveness session is bound: that check
 * needs the probe's descriptor, which the cache does not keep.
 */
export async function compareFaces(userId: string, request: CompareRequest): Promise<CompareResult> {
  const engine = getFaceEngine();
  const [inputA, inputB] = await Promise.all([
    resolveImageInput(userId, request.a),
    resolveImageInput(userId, request.b),
  ]);
  // Similarity is symmetric: order the hashes so a/b swapped hits the same entry, boxes follow.
  const [ha, hb] = [inputA.sha256, inputB.sha256];
  const key = resultCacheKey(
    userId,
    'compare',
    ha < hb ? `${ha}:${hb}` : `${hb}:${ha}`,
    engine.model.version,
  );
  const present = (similarity: number, boxA: Box, boxB: Box): CompareResult => {
    const { threshold, falseMatchRate } = MATCH_LEVEL_SETTINGS[request.matchLevel];
    return {
      similarity: Math.round(similarity * 10000) / 10000,
      match: similarity >= threshold,
      threshold,
      matchLevel: request.matchLevel,
      falseMatchRate,
      faceA: { box: boxA },
      faceB: { box: boxB },
    };
  };
  if (!request.livenessSessionId) {
    const hit = await cached<{ similarity: number; boxes: Boxes }>(key);
    const [boxA, boxB] = [hit?.boxes[ha], hit?.boxes[hb]];
    recordCacheLookup('compare', !!(hit && boxA && boxB));
    if (hit && boxA && boxB) return present(hit.similarity, boxA, boxB);
  }
  const faceA = await largestFace(inputA, 'a');
  if (request.livenessSessionId) await requireLiveness(userId, request.livenessSessionId, faceA.descriptor!);
  const faceB = await largestFace(inputB, 'b');
  const similarity = engine.similarity(faceA.descriptor!, faceB.descriptor!);
  const [boxA, boxB] = [presentBox(faceA.box), presentBox(faceB.box)];
  await remember(key, { similarity, boxes: { [ha]: boxA, [hb]: boxB } });
  return present(similarity, boxA, boxB);
}
