import { z } from 'zod';
import { sha256Hex } from './auth/crypto.ts';
import { config } from './config.ts';
import { loadImage, type LoadedImage } from './image/load.ts';
import { parseImageField } from './image/parse.ts';
import { loadUpload } from './uploads/read.ts';

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

/**
 * An image as given: its bytes and the SHA-256 of the bytes the client sent, which names the image in
 * result caches, the liveness replay check and enrolment. For an upload that is the hash recorded at
 * validation: the stored copy is re-encoded without metadata, so its own hash would differ from the same
 * file sent inline.
 */
export interface ImageInput {
  bytes: Buffer;
  sha256: string;
}

export const inlineImage = (bytes: Buffer): ImageInput => ({ bytes, sha256: sha256Hex(bytes) });

export async function resolveImageInput(userId: string, source: ImageSource): Promise<ImageInput> {
  return source.image !== undefined
    ? inlineImage(parseImageField(source.image))
    : loadUpload(userId, source.uploadId!);
}

/**
 * The decoded, oriented image within the configured pixel limit (415/413 otherwise), named by the hash
 * of what the client sent.
 */
export const decodeInput = ({ bytes, sha256 }: ImageInput): Promise<LoadedImage> =>
  loadImage(bytes, { maxPixels: config().MAX_IMAGE_PIXELS, sha256 });

export async function resolveImage(userId: string, source: ImageSource): Promise<LoadedImage> {
  return decodeInput(await resolveImageInput(userId, source));
}
