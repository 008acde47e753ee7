import { sha256Hex } from '../auth/crypto.ts';
import { AppError } from '../errors.ts';
import { type DetectedFace } from '../face/engine.ts';
import { getFaceEngine } from '../face/default-engine.ts';
import { MATCH_LEVEL_SETTINGS, type MatchLevel } from '../face/match-levels.ts';
import { decodeImage, resolveImageBytes, type ImageSource } from '../image-input.ts';
import { requireLiveness } from '../liveness/binding.ts';
import { presentBox } from './present.ts';
import { recordCacheLookup } from '../metrics.ts';
import { resultCacheKey } from '../store/keys.ts';
import { cached, remember } from './result-cache.ts';

async function largestFace(bytes: Buffer, which: 'a' | 'b'): Promise<DetectedFace> {
  const image = await decodeImage(bytes);
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

type Boxes = Record<string, ReturnType<typeof presentBox>>;

/**
 * 1:1 verification of the largest face of each image at a match level. The similarity is cached per
 * image pair (the level only moves the threshold), except when a liveness session is bound: that check
 * needs the probe's descriptor, which the cache does not keep.
 */
export async function compareFaces(userId: string, request: CompareRequest) {
  const engine = getFaceEngine();
  const [bytesA, bytesB] = await Promise.all([
    resolveImageBytes(userId, request.a),
    resolveImageBytes(userId, request.b),
  ]);
  // Similarity is symmetric: order the hashes so a/b swapped hits the same entry, boxes follow.
  const [ha, hb] = [sha256Hex(bytesA), sha256Hex(bytesB)];
  const key = resultCacheKey(
    userId,
    'compare',
    ha < hb ? `${ha}:${hb}` : `${hb}:${ha}`,
    engine.model.version,
  );
  const present = (similarity: number, boxes: Boxes) => {
    const { threshold, falseMatchRate } = MATCH_LEVEL_SETTINGS[request.matchLevel];
    return {
      similarity: Math.round(similarity * 10000) / 10000,
      match: similarity >= threshold,
      threshold,
      matchLevel: request.matchLevel,
      falseMatchRate,
      faceA: { box: boxes[ha] },
      faceB: { box: boxes[hb] },
    };
  };
  if (!request.livenessSessionId) {
    const hit = await cached<{ similarity: number; boxes: Boxes }>(key);
    const usable = hit && hit.boxes[ha] && hit.boxes[hb] ? hit : undefined;
    recordCacheLookup('compare', !!usable);
    if (usable) return present(usable.similarity, usable.boxes);
  }
  const faceA = await largestFace(bytesA, 'a');
  if (request.livenessSessionId) await requireLiveness(userId, request.livenessSessionId, faceA.descriptor!);
  const faceB = await largestFace(bytesB, 'b');
  const similarity = engine.similarity(faceA.descriptor!, faceB.descriptor!);
  const boxes = { [ha]: presentBox(faceA.box), [hb]: presentBox(faceB.box) };
  await remember(key, { similarity, boxes });
  return present(similarity, boxes);
}
