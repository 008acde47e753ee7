import { z } from 'zod';
import { UPLOAD_CONTENT_TYPES } from './create.ts';

/** Request schemas of the upload endpoints (functions/uploads-*.ts). */

export const uploadParams = z.object({ uploadId: z.string().min(1).max(64) });

export const createUploadBody = z.object({
  contentType: z.enum(UPLOAD_CONTENT_TYPES),
  size: z.number().int().positive(),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits')
    .optional(),
});

export const completeUploadBody = z.object({
  parts: z
    .array(z.object({ partNumber: z.number().int().min(1).max(10_000), etag: z.string().min(1).max(128) }))
    .min(1)
    .max(10_000)
    .optional(),
});
