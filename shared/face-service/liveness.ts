import { z } from 'zod';
import { AppError } from '../errors.ts';
import { checkLiveness, LIVENESS_LEVELS, type LivenessLevel } from '../face/liveness.ts';
import { decodeInput, resolveImageInput, type ImageSource } from '../image-input.ts';
import { recordLiveness } from '../metrics.ts';
import { cacheStore } from '../store/cache.ts';
import { livenessReplayKey } from '../store/keys.ts';
import { boxSchema, presentBox } from './present.ts';

/** A byte-identical liveness image within this window is a replayed capture, not a live person. */
export const LIVENESS_REPLAY_WINDOW_SECONDS = 600;

/** The body of POST /v1/faces/liveness. */
export const livenessCheckSchema = z.object({
  live: z.boolean(),
  score: z.number().min(0).max(1),
  threshold: z.number(),
  level: z.enum(LIVENESS_LEVELS),
  face: z.object({ box: boxSchema }),
});

/** Liveness is never cached: each call must see a fresh capture. */
export async function livenessCheck(
  userId: string,
  source: ImageSource,
  level: LivenessLevel,
): Promise<z.infer<typeof livenessCheckSchema>> {
  const input = await resolveImageInput(userId, source);
  const first = await cacheStore.claim(
    livenessReplayKey(userId, input.sha256),
    LIVENESS_REPLAY_WINDOW_SECONDS,
  );
  if (!first) {
    throw new AppError(
      'LIVENESS_REPLAY',
      'This exact image was already submitted for liveness; capture a new one.',
      {
        windowSeconds: LIVENESS_REPLAY_WINDOW_SECONDS,
      },
    );
  }
  const result = await checkLiveness(await decodeInput(input), level);
  recordLiveness('image', result.live);
  return { ...result, face: { box: presentBox(result.face.box) } };
}
