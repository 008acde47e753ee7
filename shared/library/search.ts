import { z } from 'zod';
import { config } from '../config.ts';
import { AppError } from '../errors.ts';
import { getFaceEngine } from '../face/default-engine.ts';
import { MATCH_LEVEL_SETTINGS, MATCH_LEVELS, type MatchLevel } from '../face/match-levels.ts';
import { boxSchema, presentBox } from '../face-service/present.ts';
import type { LoadedImage } from '../image/load.ts';
import { requireLiveness } from '../liveness/binding.ts';
import { galleryFor } from './gallery-cache.ts';
import type { Gallery } from './gallery.ts';

export interface MatchPolicy {
  topK: number;
  /** On the engine's 0..1 similarity scale, like `matchThreshold`. */
  threshold: number;
  /** The best person must lead the runner-up by this much, or the decision is AMBIGUOUS. */
  margin: number;
}

const personMatchSchema = z.object({
  personId: z.string(),
  name: z.string(),
  similarity: z.number().min(0).max(1),
});
export type PersonMatch = z.infer<typeof personMatchSchema>;

/**
 * Who a face is. MATCH: `matches[0]` is the person. AMBIGUOUS: the best person clears the threshold but
 * does not lead the runner-up by the margin (a look-alike, the same person enrolled twice, or a stranger
 * between two people), so naming either would be a guess. NO_MATCH: nobody clears the threshold.
 */
export const SEARCH_DECISIONS = ['MATCH', 'AMBIGUOUS', 'NO_MATCH'] as const;
export type SearchDecision = (typeof SEARCH_DECISIONS)[number];

const faceResultSchema = z.object({
  box: boxSchema,
  decision: z.enum(SEARCH_DECISIONS),
  matches: z.array(personMatchSchema),
});

/** The body of POST /v1/search. */
export const searchResultSchema = z.object({
  matchLevel: z.enum(MATCH_LEVELS).nullable(),
  falseMatchRate: z.number().nullable(),
  threshold: z.number(),
  faces: z.array(faceResultSchema),
});

/**
 * One face against the gallery: every person at or above the threshold, best first, at most `topK` (the
 * contract's list, whatever the decision), and the decision a gate should act on.
 */
export function matchFace(
  gallery: Gallery,
  descriptor: Float32Array,
  policy: MatchPolicy,
  similarityOf: (cosine: number) => number,
): { decision: SearchDecision; matches: PersonMatch[] } {
  const ranked = gallery
    .rankPersons(descriptor, policy.topK + 1)
    .map(({ personId, name, cosine }) => ({ personId, name, similarity: similarityOf(cosine) }));
  const [best, second] = ranked;
  const matches = ranked
    .slice(0, policy.topK)
    .filter((m) => m.similarity >= policy.threshold)
    .map((m) => ({ ...m, similarity: Math.round(m.similarity * 10000) / 10000 }));
  const decision: SearchDecision =
    !best || best.similarity < policy.threshold
      ? 'NO_MATCH'
      : second && best.similarity - second.similarity < policy.margin
        ? 'AMBIGUOUS'
        : 'MATCH';
  return { decision, matches };
}

export interface SearchRequest {
  topK: number;
  matchLevel: MatchLevel;
  /** An explicit similarity threshold instead of the level's (then no false-match rate is stated). */
  threshold?: number;
  maxFaces: number;
  /** Binds the search to a passed liveness session: the largest face is the live probe. */
  livenessSessionId?: string;
}

/**
 * `POST /v1/search`: every detected face of the image against the caller's library. The level's rate is
 * per comparison: a face searched against N enrolled persons meets N chances of a false match, which the
 * margin rule (a clear lead over the runner-up, else AMBIGUOUS) narrows but does not remove; ACCURACY.md.
 */
export async function searchImage(
  userId: string,
  image: LoadedImage,
  request: SearchRequest,
): Promise<z.infer<typeof searchResultSchema>> {
  const engine = getFaceEngine();
  const { SEARCH_MARGIN, GALLERY_CACHE_MB } = config();
  const [detected, gallery] = await Promise.all([
    engine.detect(image, { maxFaces: request.maxFaces, withDescriptor: true }),
    galleryFor(userId, engine.model, GALLERY_CACHE_MB * 2 ** 20),
  ]);
  if (request.livenessSessionId) {
    const probe = detected.faces[0];
    if (!probe) throw new AppError('NO_FACE', 'No face was found in the image.');
    await requireLiveness(userId, request.livenessSessionId, probe.descriptor!);
  }
  const level = MATCH_LEVEL_SETTINGS[request.matchLevel];
  const custom = request.threshold !== undefined;
  const policy = {
    topK: request.topK,
    threshold: request.threshold ?? level.threshold,
    margin: SEARCH_MARGIN,
  };
  return {
    matchLevel: custom ? null : request.matchLevel,
    falseMatchRate: custom ? null : level.falseMatchRate,
    threshold: policy.threshold,
    faces: detected.faces.map((face) => ({
      box: presentBox(face.box),
      ...matchFace(gallery, face.descriptor!, policy, engine.similarityFromCosine),
    })),
  };
}
