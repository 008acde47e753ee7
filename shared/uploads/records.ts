import { config } from '../config.ts';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { notFound } from '../errors.ts';
import type { ImageFormat } from '../image/load.ts';
import * as keys from '../store/keys.ts';
import { uploadStore } from '../store/uploads.ts';

/**
 * Upload records: one item per upload in the owner's partition (`USER#<userId>`, `UPLOAD#<uploadId>`),
 * so another user's uploadId simply does not resolve. Objects: what the client sends lands at
 * `uploads/<userId>/<uploadId>`; validation stores the normalised copy at
 * `uploads/<userId>/validated/<uploadId>` and deletes the original (it carries the client's metadata).
 */

/**
 * The API's Upload (GET /v1/uploads/{uploadId}, POST .../complete): `size` and `sha256` are those of the
 * bytes received, known once validated.
 */
export const uploadSchema = z.object({
  uploadId: z.string(),
  status: z.enum(['pending', 'validated', 'rejected']),
  reason: z
    .enum([
      'NOT_AN_IMAGE',
      'TYPE_MISMATCH',
      'SIZE_MISMATCH',
      'SHA256_MISMATCH',
      'IMAGE_TOO_LARGE',
      'UNDECODABLE',
    ])
    .optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  format: z.enum(['jpeg', 'png', 'webp']).optional(),
  size: z.number().int().optional(),
  sha256: z.string().optional(),
});
export type UploadView = z.infer<typeof uploadSchema>;
export type UploadStatus = UploadView['status'];
export type UploadMethod = 'POST' | 'MULTIPART';
/** Why validation rejected an upload. */
export type RejectReason = NonNullable<UploadView['reason']>;

export interface UploadRecord {
  pk: string;
  sk: string;
  uploadId: string;
  status: UploadStatus;
  method: UploadMethod;
  contentType: string;
  /** Declared by the client. */
  size: number;
  sha256?: string;
  /** S3's id of the multipart upload, and its layout. */
  multipartId?: string;
  partSize?: number;
  partCount?: number;
  createdAt: string;
  /** When the presigned URLs handed out expire. */
  expiresAt: string;
  reason?: RejectReason;
  /** Set by validation: the image as stored, and the SHA-256 of the bytes the client sent. */
  width?: number;
  height?: number;
  format?: ImageFormat;
  receivedSha256?: string;
  /** Epoch seconds: end of retention (DynamoDB TTL), for every upload. */
  ttl?: number;
}

/** Ids look like this; anything else cannot exist and is answered 404 without a lookup. */
const UPLOAD_ID = /^u[a-f0-9]{32}$/;
export const newUploadId = () => `u${randomBytes(16).toString('hex')}`;

const withValidId = (parsed: { userId: string; uploadId: string } | undefined) =>
  parsed && UPLOAD_ID.test(parsed.uploadId) ? parsed : undefined;

/** The owner and upload an object key belongs to, if it is an upload's original. */
export const parseUploadKey = (key: string) => withValidId(keys.parseUploadKey(key));

/** The owner and upload of any upload object (original or validated copy), for the retention sweep. */
export const parseAnyUploadKey = (key: string) => withValidId(keys.parseAnyUploadKey(key));

/** Every upload, whatever its state, is deleted UPLOAD_RETENTION_HOURS after creation (PRIVACY.md). */
export const retentionEnd = (createdAtMs: number) =>
  Math.floor(createdAtMs / 1000) + config().UPLOAD_RETENTION_HOURS * 3600;
const isExpired = (record: UploadRecord, nowMs: number) =>
  record.ttl !== undefined && record.ttl * 1000 <= nowMs;

export function newRecord(
  userId: string,
  fields: Omit<UploadRecord, 'pk' | 'sk' | 'status' | 'createdAt' | 'ttl'>,
): UploadRecord {
  return uploadStore.item(userId, {
    status: 'pending' as const,
    createdAt: new Date().toISOString(),
    ttl: retentionEnd(Date.now()),
    ...fields,
  });
}

export const putRecord = (record: UploadRecord) => uploadStore.put({ ...record });

/** The record even past its retention (the sweep removes those); `findRecord` hides them. */
export async function findRecordAnyAge(userId: string, uploadId: string): Promise<UploadRecord | undefined> {
  if (!UPLOAD_ID.test(uploadId)) return undefined;
  return uploadStore.get<UploadRecord>(userId, uploadId);
}

/** The caller's upload unless it passed its retention (DynamoDB's TTL deletion lags by up to days). */
export async function findRecord(userId: string, uploadId: string): Promise<UploadRecord | undefined> {
  const record = await findRecordAnyAge(userId, uploadId);
  return record && !isExpired(record, Date.now()) ? record : undefined;
}

/** The caller's upload, or 404 NOT_FOUND (also for another user's id). */
export async function getRecord(userId: string, uploadId: string): Promise<UploadRecord> {
  const record = await findRecord(userId, uploadId);
  if (!record) throw notFound('upload');
  return record;
}

/** Every upload of the user still within its retention. */
export async function listRecords(userId: string): Promise<UploadRecord[]> {
  const now = Date.now();
  return (await uploadStore.all<UploadRecord>(userId)).filter((r) => !isExpired(r, now));
}

export type Outcome =
  | { status: 'validated'; width: number; height: number; format: ImageFormat; receivedSha256: string }
  | { status: 'rejected'; reason: RejectReason };

/**
 * Moves a pending upload to its outcome. Returns the updated record, or `undefined` when it was no
 * longer pending (a concurrent validation, the S3 event or the complete call, got there first).
 */
export async function settleRecord(
  record: UploadRecord,
  outcome: Outcome,
): Promise<UploadRecord | undefined> {
  return uploadStore.settle<UploadRecord>(record, outcome);
}

export const deleteRecord = (record: UploadRecord) => uploadStore.remove(record);

export function toView(record: UploadRecord): UploadView {
  const { uploadId, status } = record;
  if (status === 'pending') return { uploadId, status };
  if (status === 'rejected') return { uploadId, status, reason: record.reason };
  const { width, height, format, size, receivedSha256: sha256 } = record;
  return { uploadId, status, width, height, format, size, sha256 };
}
