import { z } from 'zod';
import { AppError } from '../errors.ts';
import { uploadKey, validatedKey } from '../store/keys.ts';
import { objectStore, type HeldPart } from '../store/objects.ts';
import { partUrlSchema, partUrls, UPLOAD_URL_TTL_SECONDS } from './create.ts';
import { deleteRecord, getRecord, toView, type UploadRecord, type UploadView } from './records.ts';
import { validateUpload } from './validate.ts';

/** The rest of an upload's life after POST /v1/uploads: resume, complete, status, abort. */

export type { HeldPart };

/** The body of GET /v1/uploads/{uploadId}/parts. */
export const uploadPartsSchema = z.object({
  uploadId: z.string(),
  partSize: z.number().int(),
  partCount: z.number().int(),
  /** Parts S3 holds. */
  parts: z.array(z.object({ partNumber: z.number().int(), etag: z.string(), size: z.number().int() })),
  /** Fresh presigned URLs for the parts still to send. */
  missing: z.array(partUrlSchema),
  expiresAt: z.iso.datetime(),
});
type PartsView = z.infer<typeof uploadPartsSchema>;

const incomplete = (message: string, details?: Record<string, unknown>) =>
  new AppError('UPLOAD_INCOMPLETE', message, details);

const notPending = (record: UploadRecord) =>
  new AppError('UPLOAD_NOT_PENDING', `This upload is already ${record.status}.`, {
    status: record.status,
  });

const heldParts = (userId: string, record: UploadRecord) =>
  objectStore.heldParts(uploadKey(userId, record.uploadId), record.multipartId);

const partNumbers = (record: UploadRecord) => Array.from({ length: record.partCount! }, (_, i) => i + 1);

/** GET /v1/uploads/{id}/parts: what an interrupted multipart upload has sent, and URLs for the rest. */
export async function uploadParts(userId: string, uploadId: string): Promise<PartsView> {
  const record = await getRecord(userId, uploadId);
  if (record.status !== 'pending') throw notPending(record);
  if (record.method !== 'MULTIPART') {
    throw new AppError('UPLOAD_NOT_MULTIPART', 'This upload is a single POST; it has no parts.');
  }
  const parts = await heldParts(userId, record);
  if (!parts)
    throw incomplete('S3 no longer holds the parts of this upload; complete it or start a new one.');
  const held = new Set(parts.map((p) => p.partNumber));
  return {
    uploadId,
    partSize: record.partSize!,
    partCount: record.partCount!,
    parts,
    missing: await partUrls(
      userId,
      record,
      partNumbers(record).filter((n) => !held.has(n)),
    ),
    expiresAt: new Date(Date.now() + UPLOAD_URL_TTL_SECONDS * 1000).toISOString(),
  };
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/**
 * POST /v1/uploads/{id}/complete: assembles a multipart upload (from the client's part list, or from
 * what S3 holds), then validates. Idempotent: a settled upload is answered as it stands.
 */
export async function completeUpload(
  userId: string,
  uploadId: string,
  parts?: CompletedPart[],
): Promise<UploadView> {
  const record = await getRecord(userId, uploadId);
  if (record.status === 'pending' && record.method === 'MULTIPART')
    await completeMultipart(userId, record, parts);
  const settled = await validateUpload(userId, record);
  if (!settled) throw incomplete('Nothing has been uploaded yet; send the file to the URL first.');
  return toView(settled);
}

async function completeMultipart(
  userId: string,
  record: UploadRecord,
  given?: CompletedPart[],
): Promise<void> {
  const parts = given ?? (await heldParts(userId, record));
  // S3 no longer knows the upload: it was completed before (a retry after a lost response).
  if (!parts) return;
  const numbers = new Set(parts.map((p) => p.partNumber));
  const missing = partNumbers(record).filter((n) => !numbers.has(n));
  if (missing.length > 0)
    throw incomplete('Some parts have not been uploaded yet.', { missingParts: missing });
  const outcome = await objectStore.completeMultipart(
    uploadKey(userId, record.uploadId),
    record.multipartId,
    parts,
  );
  // `unknown`: S3 no longer knows the upload, it was completed before.
  if (outcome !== 'completed' && outcome !== 'unknown') {
    throw incomplete(`S3 refused the parts (${outcome}); check the part numbers and ETags.`);
  }
}

export async function uploadStatus(userId: string, uploadId: string): Promise<UploadView> {
  return toView(await getRecord(userId, uploadId));
}

/** Removes an upload whatever its state: S3 multipart state, both objects, the record. */
export async function removeUpload(userId: string, record: UploadRecord): Promise<void> {
  if (record.method === 'MULTIPART' && record.status === 'pending') {
    await objectStore.abortMultipart(uploadKey(userId, record.uploadId), record.multipartId);
  }
  await objectStore.delete(uploadKey(userId, record.uploadId));
  await objectStore.delete(validatedKey(userId, record.uploadId));
  await deleteRecord(record);
}

/** DELETE /v1/uploads/{id}. */
export async function abortUpload(userId: string, uploadId: string): Promise<void> {
  await removeUpload(userId, await getRecord(userId, uploadId));
}
