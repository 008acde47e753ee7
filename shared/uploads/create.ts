import { z } from 'zod';
import { config } from '../config.ts';
import { AppError } from '../errors.ts';
import { uploadKey } from '../store/keys.ts';
import { objectStore } from '../store/objects.ts';
import { newRecord, newUploadId, putRecord, type UploadRecord } from './records.ts';

/**
 * POST /v1/uploads: the client sends the image straight to S3. Up to POST_MAX_BYTES it gets a presigned
 * POST whose policy pins the key, the content type and the exact length; above, a multipart upload with
 * one presigned PUT URL per part (resumable: GET /v1/uploads/{id}/parts hands out the missing ones again).
 */

export const UPLOAD_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type UploadContentType = (typeof UPLOAD_CONTENT_TYPES)[number];

export const POST_MAX_BYTES = 10 * 1024 * 1024;
/** S3's smallest part (all but the last); 10,000 parts at most. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
/** Lifetime of the presigned POST and of each part URL. */
export const UPLOAD_URL_TTL_SECONDS = 3600;

export interface UploadRequest {
  contentType: UploadContentType;
  size: number;
  sha256?: string;
}

/** A presigned PUT URL for one part of a multipart upload. */
export const partUrlSchema = z.object({ partNumber: z.number().int(), url: z.string() });
export type PartUrl = z.infer<typeof partUrlSchema>;

/** The body of POST /v1/uploads: where and how to send the file. */
export const uploadTicketSchema = z.union([
  z.object({
    uploadId: z.string(),
    method: z.literal('POST'),
    url: z.string(),
    fields: z.record(z.string(), z.string()),
    expiresAt: z.iso.datetime(),
  }),
  z.object({
    uploadId: z.string(),
    method: z.literal('MULTIPART'),
    partSize: z.number().int(),
    parts: z.array(partUrlSchema),
    expiresAt: z.iso.datetime(),
  }),
]);
export type UploadTicket = z.infer<typeof uploadTicketSchema>;

const expiry = () => new Date(Date.now() + UPLOAD_URL_TTL_SECONDS * 1000).toISOString();

export function partLayout(size: number): { partSize: number; partCount: number } {
  const partSize = Math.max(MIN_PART_SIZE, Math.ceil(size / MAX_PARTS));
  return { partSize, partCount: Math.ceil(size / partSize) };
}

export async function createUpload(userId: string, request: UploadRequest): Promise<UploadTicket> {
  const maxBytes = config().UPLOAD_MAX_BYTES;
  if (request.size > maxBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `Uploads are limited to ${maxBytes} bytes.`, { maxBytes });
  }
  const uploadId = newUploadId();
  const base = { uploadId, contentType: request.contentType, size: request.size, sha256: request.sha256 };
  return request.size <= POST_MAX_BYTES
    ? createPostUpload(userId, base)
    : createMultipartUpload(userId, base);
}

type NewUpload = Pick<UploadRecord, 'uploadId' | 'contentType' | 'size' | 'sha256'>;

async function createPostUpload(userId: string, upload: NewUpload): Promise<UploadTicket> {
  const expiresAt = expiry();
  await putRecord(newRecord(userId, { ...upload, method: 'POST', expiresAt }));
  const { url, fields } = await objectStore.presignPost(uploadKey(userId, upload.uploadId), {
    // Each field also becomes an equality condition of the policy, as does the key.
    fields: { 'Content-Type': upload.contentType },
    size: upload.size,
    expiresIn: UPLOAD_URL_TTL_SECONDS,
  });
  return { uploadId: upload.uploadId, method: 'POST', url, fields, expiresAt };
}

async function createMultipartUpload(userId: string, upload: NewUpload): Promise<UploadTicket> {
  const key = uploadKey(userId, upload.uploadId);
  const multipartId = await objectStore.createMultipart(key, upload.contentType);
  const { partSize, partCount } = partLayout(upload.size);
  const expiresAt = expiry();
  const record = newRecord(userId, {
    ...upload,
    method: 'MULTIPART',
    multipartId,
    partSize,
    partCount,
    expiresAt,
  });
  await putRecord(record);
  const numbers = Array.from({ length: partCount }, (_, i) => i + 1);
  return {
    uploadId: upload.uploadId,
    method: 'MULTIPART',
    partSize,
    parts: await partUrls(userId, record, numbers),
    expiresAt,
  };
}

/** Presigned PUT URLs for the given parts of a multipart upload. */
export async function partUrls(
  userId: string,
  record: UploadRecord,
  partNumbers: number[],
): Promise<PartUrl[]> {
  return objectStore.presignParts(
    uploadKey(userId, record.uploadId),
    record.multipartId,
    partNumbers,
    UPLOAD_URL_TTL_SECONDS,
  );
}
