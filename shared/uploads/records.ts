import { randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../adapters/dynamo.ts';
import { notFound } from '../errors.ts';
import type { ImageFormat } from '../image/load.ts';
import { conditionalWrite, db, queryPrefix } from '../library/table.ts';

/**
 * Upload records: one item per upload in the owner's partition (`USER#<userId>`, `UPLOAD#<uploadId>`),
 * so another user's uploadId simply does not resolve. Objects: what the client sends lands at
 * `users/<userId>/uploads/<uploadId>`; validation stores the normalised copy at
 * `users/<userId>/validated/<uploadId>` and deletes the original (it carries the client's metadata).
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
  /** Epoch seconds: pending and rejected records expire (AWS TTL); validated ones stay. */
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
/** Pending or rejected uploads are forgotten after a day. */
const UNFINISHED_TTL_SECONDS = 24 * 3600;

const ownerPk = (userId: string) => `USER#${userId}`;
const uploadSk = (uploadId: string) => `${UPLOAD_PREFIX}${uploadId}`;

export const uploadKey = (userId: string, uploadId: string) => `users/${userId}/uploads/${uploadId}`;
export const validatedKey = (userId: string, uploadId: string) => `users/${userId}/validated/${uploadId}`;
/** S3 prefixes holding a user's upload objects, for erasure. */
export const uploadPrefixes = (userId: string) => [`users/${userId}/uploads/`, `users/${userId}/validated/`];

/** Ids look like this; anything else cannot exist and is answered 404 without a lookup. */
const UPLOAD_ID = /^u[a-f0-9]{32}$/;
export const newUploadId = () => `u${randomBytes(16).toString('hex')}`;

/** The owner and upload an object key belongs to, if it is an upload's original. */
export function parseUploadKey(key: string): { userId: string; uploadId: string } | undefined {
  const match = /^users\/([^/]+)\/uploads\/([^/]+)$/.exec(key);
  return match && UPLOAD_ID.test(match[2]!) ? { userId: match[1]!, uploadId: match[2]! } : undefined;
}

export function newRecord(
  userId: string,
  fields: Omit<UploadRecord, 'pk' | 'sk' | 'status' | 'createdAt' | 'ttl'>,
): UploadRecord {
  return {
    pk: ownerPk(userId),
    sk: uploadSk(fields.uploadId),
    status: 'pending',
    createdAt: new Date().toISOString(),
    ttl: Math.floor(Date.now() / 1000) + UNFINISHED_TTL_SECONDS,
    ...fields,
  };
}

export async function putRecord(record: UploadRecord): Promise<void> {
  await db(() => dynamo().send(new PutCommand({ TableName: tableName(), Item: record })));
}

export async function findRecord(userId: string, uploadId: string): Promise<UploadRecord | undefined> {
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

/** The caller's upload, or 404 NOT_FOUND (also for another user's id). */
export async function getRecord(userId: string, uploadId: string): Promise<UploadRecord> {
  const record = await findRecord(userId, uploadId);
  if (!record) throw notFound('upload');
  return record;
}

export const listRecords = (userId: string) => queryPrefix<UploadRecord>(ownerPk(userId), UPLOAD_PREFIX);

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
  const validated = outcome.status === 'validated';
  const out = await conditionalWrite(() =>
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: record.pk, sk: record.sk },
        UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}${validated ? ' REMOVE #ttl' : ''}`,
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: {
          '#status': 'status',
          ...Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
          ...(validated ? { '#ttl': 'ttl' } : {}),
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
