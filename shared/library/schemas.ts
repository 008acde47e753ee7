import { z } from 'zod';

/** Request fields of the persons endpoints, shared by create and update. */

export const personName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters');

const META_MAX_BYTES = 2048;

export const personMeta = z
  .record(z.string(), z.unknown())
  .refine((meta) => Buffer.byteLength(JSON.stringify(meta)) <= META_MAX_BYTES, {
    message: `must be at most ${META_MAX_BYTES} bytes as JSON`,
  });

export const personParams = z.object({ personId: z.string() });
export const faceParams = z.object({ personId: z.string(), faceId: z.string() });
