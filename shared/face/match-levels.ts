/**
 * Match levels of `POST /v1/faces/compare` and `POST /v1/search`: each is a threshold on the engine's
 * 0..1 similarity scale (`FaceEngine.similarity`) calibrated to a false-match rate per comparison.
 * Method, data and uncertainty: ACCURACY.md, "Match levels"; measured by `npm run bench:calibration`.
 * Thresholds belong to the descriptor model (`dlib-resnet-v1`): recalibrate when it changes.
 */
export const MATCH_LEVELS = ['LOW', 'NORMAL', 'HIGH'] as const;
export type MatchLevel = (typeof MATCH_LEVELS)[number];

export interface MatchLevelSetting {
  /** Similarity at or above which two faces are the same person (engine's 0..1 scale). */
  threshold: number;
  /** Stated false-match rate per comparison at `threshold` (impostor pairs accepted). */
  falseMatchRate: number;
}

/**
 * dlib distance equivalents (similarity = 1 - distance / 1.2): LOW 0.54, NORMAL 0.48, HIGH 0.42; the
 * former single threshold 0.5 was dlib's 0.6. Each sits above every estimate of its FMR point so that a
 * population with higher impostor scores than ours (e.g. East Asian faces) still meets the stated rate.
 */
export const MATCH_LEVEL_SETTINGS: Readonly<Record<MatchLevel, Readonly<MatchLevelSetting>>> = {
  // 1e-2 reached at 0.45-0.47 on our 2,126 independent impostor pairs and ~0.49-0.50 anchored to the field report (7e-3 at 0.5); +0.05 margin (ACCURACY.md "Match levels").
  LOW: { threshold: 0.55, falseMatchRate: 1e-2 },
  // 1e-3 extrapolated to 0.50-0.55 (normal/GPD tail fits, field-anchored); field: 0/1,690 at 0.58; covers a population at 5 % FMR at 0.5 (ACCURACY.md).
  NORMAL: { threshold: 0.6, falseMatchRate: 1e-3 },
  // 1e-4 extrapolated only (0.55-0.59); above every augmented impostor (max 0.62 of 738k) and dlib's reported impostors at distance 0.43-0.48 (ACCURACY.md).
  HIGH: { threshold: 0.65, falseMatchRate: 1e-4 },
};

export const DEFAULT_MATCH_LEVEL: MatchLevel = 'NORMAL';

export function isMatchLevel(value: unknown): value is MatchLevel {
  return typeof value === 'string' && (MATCH_LEVELS as readonly string[]).includes(value);
}
