import { config } from '../config.ts';
import { randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../adapters/dynamo.ts';
import { notFound } from '../errors.ts';
import type { ImageFormat } from '../image/load.ts';
import { conditionalWrite, db, queryPrefix } from '../library/table.ts';

/**
 * Upload records: one item per upload in the owner's partition (`USER#<userId>`, `UPLOAD#<uploadId>`),
 * so another user's uploadId simply does not resolve. Objects: what the client sends lands at
 * `uploads/<userId>/<uploadId>`; validation stores the normalised copy at
 * `uploads/<userId>/validated/<uploadId>` and deletes the original (it carries the client's metadata).
 */

export type UploadStatus = 'pending' | 'validated' | 'rejected';
export type UploadMethod = 'POST' | 'MULTIPART';

/** Why validation rejected an upload (`reason` of the Upload). */
export type RejectReason =
  'NOT_AN_IMAGE' | 'TYPE_MISMATCH' | 'SIZE_MISMATCH' | 'SHA256_MISMATCH' | 'IMAGE_TOO_LARGE' | 'UNDECODABLE';

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

/** The contract's Upload: `size` and `sha256` are those of the bytes received, known once validated. */
export interface UploadView {
  uploadId: string;
  status: UploadStatus;
  reason?: RejectReason;
  width?: number;
  height?: number;
  format?: ImageFormat;
  size?: number;
  sha256?: string;
}

const UPLOAD_PREFIX = 'UPLOAD#';

const ownerPk = (userId: string) => `USER#${userId}`;
const uploadSk = (uploadId: string) => `${UPLOAD_PREFIX}${uploadId}`;

/**
 * Upload objects live under one bucket prefix, `uploads/`, so that one S3 lifecycle rule expires them all
 * (serverless.yml); per user `uploads/<userId>/<uploadId>` (the bytes as sent) and
 * `uploads/<userId>/validated/<uploadId>` (metadata stripped).
 */
export const UPLOADS_PREFIX = 'uploads/';
export const userUploadsPrefix = (userId: string) => `${UPLOADS_PREFIX}${userId}/`;
export const uploadKey = (userId: string, uploadId: string) => `${userUploadsPrefix(userId)}${uploadId}`;
export const validatedKey = (userId: string, uploadId: string) =>
  `${userUploadsPrefix(userId)}validated/${uploadId}`;

/** Ids look like this; anything else cannot exist and is answered 404 without a lookup. */
const UPLOAD_ID = /^u[a-f0-9]{32}$/;
export const newUploadId = () => `u${randomBytes(16).toString('hex')}`;

/** The owner and upload an object key belongs to, if it is an upload's original. */
export function parseUploadKey(key: string): { userId: string; uploadId: string } | undefined {
  const match = /^uploads\/([^/]+)\/([^/]+)$/.exec(key);
  return match && UPLOAD_ID.test(match[2]!) ? { userId: match[1]!, uploadId: match[2]! } : undefined;
}

/** The owner and upload of any upload object (original or validated copy), for the retention sweep. */
export function parseAnyUploadKey(key: string): { userId: string; uploadId: string } | undefined {
  const match = /^uploads\/([^/]+)\/(?:validated\/)?([^/]+)$/.exec(key);
  return match && UPLOAD_ID.test(match[2]!) ? { userId: match[1]!, uploadId: match[2]! } : undefined;
}

/** Every upload, whatever its state, is deleted UPLOAD_RETENTION_HOURS after creation (PRIVACY.md). */
export const retentionEnd = (createdAtMs: number) =>
  Math.floor(createdAtMs / 1000) + config().UPLOAD_RETENTION_HOURS * 3600;
const isExpired = (record: UploadRecord, nowMs: number) =>
  record.ttl !== undefined && record.ttl * 1000 <= nowMs;

export function newRecord(
  userId: string,
  fields: Omit<UploadRecord, 'pk' | 'sk' | 'status' | 'createdAt' | 'ttl'>,
): UploadRecord {
  return {
    pk: ownerPk(userId),
    sk: uploadSk(fields.uploadId),
    status: 'pending',
    createdAt: new Date().toISOString(),
    ttl: retentionEnd(Date.now()),
    ...fields,
  };
}

export async function putRecord(record: UploadRecord): Promise<void> {
  await db(() => dynamo().send(new PutCommand({ TableName: tableName(), Item: record })));
}

/** The record even past its retention (the sweep removes those); `findRecord` hides them. */
export async function findRecordAnyAge(userId: string, uploadId: string): Promise<UploadRecord | undefined> {
  if (!UPLOAD_ID.test(uploadId)) return undefined;
  const out = await db(() =>
    dynamo().send(
      new GetCommand({
        TableName: tableName(),
        Key: { pk: ownerPk(userId), sk: uploadSk(uploadId) },
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item as UploadRecord | undefined;
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
  return (await queryPrefix<UploadRecord>(ownerPk(userId), UPLOAD_PREFIX)).filter((r) => !isExpired(r, now));
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
  const fields = Object.entries(outcome);
  const out = await conditionalWrite(() =>
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: record.pk, sk: record.sk },
        UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: {
          '#status': 'status',
          ...Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
        },
        ExpressionAttributeValues: {
          ':pending': 'pending',
          ...Object.fromEntries(fields.map(([, value], i) => [`:v${i}`, value])),
        },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return out?.Attributes as UploadRecord | undefined;
}

export async function deleteRecord(record: UploadRecord): Promise<void> {
  await db(() =>
    dynamo().send(new DeleteCommand({ TableName: tableName(), Key: { pk: record.pk, sk: record.sk } })),
  );
}

export function toView(record: UploadRecord): UploadView {
  const { uploadId, status } = record;
  if (status === 'pending') return { uploadId, status };
  if (status === 'rejected') return { uploadId, status, reason: record.reason };
  const { width, height, format, size, receivedSha256: sha256 } = record;
  return { uploadId, status, width, height, format, size, sha256 };
}
