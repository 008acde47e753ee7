import { unprocessable } from '../errors.ts';
import type { LoadedImage } from '../image/load.ts';
import { getFaceEngine, type Box } from './engine.ts';

/**
 * Passive single-image liveness (see LIVENESS.md for what it can and cannot stop). Replay of an
 * identical capture is the caller's job: key a short-lived record on `image.sha256`.
 */
export const LIVENESS_LEVELS = ['LOW', 'NORMAL', 'HIGH'] as const;
export type LivenessLevel = (typeof LIVENESS_LEVELS)[number];

/** Minimum combined score per level. On our real test faces they pass 98 %, 96 % and 82 %. */
export const LIVENESS_THRESHOLDS: Record<LivenessLevel, number> = { LOW: 0.35, NORMAL: 0.5, HIGH: 0.65 };

export interface LivenessResult {
  live: boolean;
  score: number;
  threshold: number;
  level: LivenessLevel;
  face: { box: Box };
}

/** Judges the largest face. Throws 422 NO_FACE when there is none. */
export async function checkLiveness(
  image: LoadedImage,
  level: LivenessLevel = 'NORMAL',
): Promise<LivenessResult> {
  const { faces } = await getFaceEngine().detect(image, { maxFaces: 1, withLiveness: true });
  const face = faces[0];
  if (!face?.liveness) throw unprocessable('NO_FACE', 'No face was found in the image.');
  const threshold = LIVENESS_THRESHOLDS[level];
  const score = face.liveness.score;
  return { live: score >= threshold, score, threshold, level, face: { box: face.box } };
}
