import { z } from 'zod';
import { config } from './config.ts';
import { loadImage, type LoadedImage } from './image/load.ts';
import { parseImageField } from './image/parse.ts';
import { loadUploadBytes } from './uploads/read.ts';

/**
 * Every image-taking endpoint accepts exactly one of `image` (base64 or data URI) or `uploadId`
 * (a validated upload of the caller). `withImage` adds those two fields to a body schema.
 */
const imageFields = {
  image: z.string().min(1, 'must not be empty').optional(),
  uploadId: z.string().min(1).max(64).optional(),
};

export function withImage<S extends z.ZodRawShape>(shape: S) {
  return z.object({ ...imageFields, ...shape }).superRefine((value, ctx) => {
    const { image, uploadId } = value as ImageSource;
    const given = [image, uploadId].filter((v) => v !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({ code: 'custom', path: ['image'], message: 'give exactly one of image or uploadId' });
    }
  });
}

export const imageSource = withImage({});
export type ImageSource = { image?: string; uploadId?: string };

export async function resolveImageBytes(userId: string, source: ImageSource): Promise<Buffer> {
  return source.image !== undefined
    ? parseImageField(source.image)
    : loadUploadBytes(userId, source.uploadId!);
}

/** Bytes to a decoded, oriented image within the configured pixel limit (415/413 otherwise). */
export const decodeImage = (bytes: Buffer): Promise<LoadedImage> =>
  loadImage(bytes, { maxPixels: config().MAX_IMAGE_PIXELS });

export async function resolveImage(userId: string, source: ImageSource): Promise<LoadedImage> {
  return decodeImage(await resolveImageBytes(userId, source));
}
