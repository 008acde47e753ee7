import { AppError } from '../errors.ts';

/**
 * Similarity scale. dlib's published decision rule is a Euclidean distance below 0.6 between raw
 * descriptors. We return unit descriptors (so any vector index can rank by dot product) and measure on
 * the unit sphere: raw descriptors have norm ~1.45 (mean over the calibration faces, see ACCURACY.md), so
 * `equivalent distance = 1.45 * chord`. Similarity falls linearly from 1 (identical) to 0 at twice dlib's
 * threshold, which therefore sits at 0.5. The shipped decision thresholds are stricter (match-levels.ts).
 */
const DESCRIPTOR_NORM = 1.45;
const DLIB_THRESHOLD = 0.6;

/** Similarity (0..1) of two descriptors whose cosine is known, e.g. from a gallery dot-product kernel. */
export function similarityFromCosine(cosine: number): number {
  const chord = Math.sqrt(Math.max(0, 2 - 2 * cosine));
  return Math.min(1, Math.max(0, 1 - (chord * DESCRIPTOR_NORM) / (2 * DLIB_THRESHOLD)));
}

/** Similarity (0..1) of two descriptors of the same model. */
export function descriptorSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) {
    throw new AppError('DESCRIPTOR_MISMATCH', 'Face descriptors of different models cannot be compared.', {
      lengths: [a.length, b.length],
    });
  }
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return similarityFromCosine(dot / (Math.sqrt(na * nb) || 1));
}
