import { AppError } from '../errors.ts';
import type { LoadedImage } from '../image/load.ts';
import { type Box } from './engine.ts';
import { getFaceEngine } from './default-engine.ts';

/**
 * Passive single-image liveness (see LIVENESS.md for what it can and cannot stop). Replay of an
 * identical capture is the caller's job: key a short-lived record on `image.sha256`.
 */
export const LIVENESS_LEVELS = ['LOW', 'NORMAL', 'HIGH'] as const;
export type LivenessLevel = (typeof LIVENESS_LEVELS)[number];

/**
 * Minimum `LivenessScores.score` (MiniFASNet's real-face probability, see LIVENESS.md) per level. Measured
 * with `npm run bench:pad`: genuine fixture faces with context pass 97 %, 94 % and 89 %; simulated attacks
 * pass 73 %, 48 % and 37 % (screen replay 54 / 31 / 19 %). LOW is about upstream's own decision point (real
 * wins the summed softmax). Tight face crops (no surroundings) fail at every level.
 */
export const LIVENESS_THRESHOLDS: Record<LivenessLevel, number> = { LOW: 0.5, NORMAL: 0.8, HIGH: 0.9 };

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
  if (!face?.liveness) throw new AppError('NO_FACE', 'No face was found in the image.');
  const threshold = LIVENESS_THRESHOLDS[level];
  const score = face.liveness.score;
  return { live: score >= threshold, score, threshold, level, face: { box: face.box } };
}
