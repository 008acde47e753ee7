import { createHash } from 'node:crypto';
import { config } from '../config.ts';
import { isAppError, notFound } from '../errors.ts';
import { normaliseImage, sniffFormat, type NormalisedImage } from '../image/load.ts';
import { uploadKey, validatedKey } from '../store/keys.ts';
import { objectStore } from '../store/objects.ts';
import {
  findRecord,
  parseUploadKey,
  settleRecord,
  type Outcome,
  type RejectReason,
  type UploadRecord,
} from './records.ts';

/**
 * Validation of an uploaded object, from POST /v1/uploads/{id}/complete and, in AWS, from the bucket's
 * ObjectCreated event: the same idempotent code, whichever runs first settles the record and the other
 * finds it settled. It reads the real bytes and trusts nothing the client declared: the type is sniffed,
 * the pixel count read from the header before decoding, the image decoded and re-encoded without
 * metadata (EXIF, GPS, XMP, ICC) and with its orientation applied; that copy is what image endpoints get.
 */

const CONTENT_TYPE_FORMAT: Record<string, string> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
};

type Inspection =
  { ok: true; image: NormalisedImage; receivedSha256: string } | { ok: false; reason: RejectReason };

/** Everything that decides an upload's fate, on the bytes S3 holds (a pure function of its arguments). */
export async function inspect(bytes: Buffer, record: UploadRecord, maxPixels: number): Promise<Inspection> {
  if (bytes.length !== record.size) return { ok: false, reason: 'SIZE_MISMATCH' };
  const format = sniffFormat(bytes);
  if (!format) return { ok: false, reason: 'NOT_AN_IMAGE' };
  if (CONTENT_TYPE_FORMAT[record.contentType] !== format) return { ok: false, reason: 'TYPE_MISMATCH' };
  const receivedSha256 = createHash('sha256').update(bytes).digest('hex');
  if (record.sha256 && record.sha256.toLowerCase() !== receivedSha256)
    return { ok: false, reason: 'SHA256_MISMATCH' };
  try {
    return { ok: true, image: await normaliseImage(bytes, maxPixels), receivedSha256 };
  } catch (e) {
    if (isAppError(e) && e.status === 413) return { ok: false, reason: 'IMAGE_TOO_LARGE' };
    if (isAppError(e) && e.status === 415) return { ok: false, reason: 'UNDECODABLE' };
    throw e;
  }
}

/**
 * Settles a pending upload whose object is in S3 and returns the record as it now stands; an upload
 * already settled is returned as is. `undefined` when the object is not there (not uploaded yet).
 */
export async function validateUpload(
  userId: string,
  record: UploadRecord,
): Promise<UploadRecord | undefined> {
  if (record.status !== 'pending') return record;
  const key = uploadKey(userId, record.uploadId);
  const bytes = await objectStore.get(key);
  // No object: not uploaded yet, or a concurrent run (the S3 notification) settled it and removed it.
  if (!bytes) {
    const now = await findRecord(userId, record.uploadId);
    if (!now) throw notFound('upload');
    return now.status === 'pending' ? undefined : now;
  }

  const inspection = await inspect(bytes, record, config().MAX_IMAGE_PIXELS);
  let outcome: Outcome;
  if (inspection.ok) {
    const { image, receivedSha256 } = inspection;
    await objectStore.put(validatedKey(userId, record.uploadId), image.data, `image/${image.format}`);
    outcome = {
      status: 'validated',
      width: image.width,
      height: image.height,
      format: image.format,
      receivedSha256,
    };
  } else {
    outcome = { status: 'rejected', reason: inspection.reason };
  }
  // Settled by a concurrent run if the condition failed: that run's record is the truth.
  const settled = (await settleRecord(record, outcome)) ?? (await findRecord(userId, record.uploadId));
  if (!settled) {
    // Erased or aborted while this ran: nothing written for it may outlive it.
    await Promise.all([objectStore.delete(validatedKey(userId, record.uploadId)), objectStore.delete(key)]);
    throw notFound('upload');
  }
  await objectStore.delete(key);
  return settled;
}

/**
 * The ObjectCreated path: validates the upload an object key belongs to. An object at an upload key
 * whose upload is not pending (settled, erased, aborted) is deleted: a presigned POST stays usable until
 * it expires, and a late copy must not linger with its metadata. Keys of other objects are ignored.
 */
export async function validateObjectKey(key: string): Promise<void> {
  const parsed = parseUploadKey(key);
  if (!parsed) return;
  const record = await findRecord(parsed.userId, parsed.uploadId);
  if (record?.status === 'pending') await validateUpload(parsed.userId, record);
  else await objectStore.delete(key);
}
