import { z } from 'zod';
import { LIVENESS_LEVELS } from '../face/liveness.ts';
import { boxSchema } from '../face-service/present.ts';
import { ACTIONS } from './actions.ts';
import { REASONS } from './verify.ts';

/** Response bodies of the liveness session endpoints (the OpenAPI file is generated from these). */

export const sessionCreatedSchema = z.object({
  sessionId: z.string(),
  level: z.enum(LIVENESS_LEVELS),
  challenge: z.object({
    actions: z
      .array(z.enum(ACTIONS))
      .min(2)
      .max(3)
      .meta({ description: 'Distinct actions, in the order they must be performed.' }),
  }),
  expiresAt: z.iso.datetime(),
  maxFrames: z.number().int(),
});

export const verifyResultSchema = z.object({
  live: z.boolean(),
  score: z.number().min(0).max(1),
  level: z.enum(LIVENESS_LEVELS),
  actions: z.array(
    z.object({ action: z.enum(ACTIONS), seen: z.boolean(), frame: z.number().int().nullable() }),
  ),
  reasons: z.array(z.enum(REASONS)),
  passiveScore: z.number().min(0).max(1),
  referenceFace: z.object({ frame: z.number().int(), box: boxSchema }).nullable(),
});
