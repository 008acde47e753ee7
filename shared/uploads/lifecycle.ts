import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  ListPartsCommand,
  type Part,
} from '@aws-sdk/client-s3';
import { bucketName, s3 } from '../adapters/s3.ts';
import { AppError, viaDependency } from '../errors.ts';
import { partUrls, UPLOAD_URL_TTL_SECONDS, type PartUrl } from './create.ts';
import {
  deleteRecord,
  getRecord,
  toView,
  uploadKey,
  validatedKey,
  type UploadRecord,
  type UploadView,
} from './records.ts';
import { deleteObject, validateUpload } from './validate.ts';

/** The rest of an upload's life after POST /v1/uploads: resume, complete, status, abort. */

export interface HeldPart {
  partNumber: number;
  etag: string;
  size: number;
}

export interface PartsView {
  uploadId: string;
  partSize: number;
  partCount: number;
  /** Parts S3 holds. */
  parts: HeldPart[];
  /** Fresh presigned URLs for the parts still to send. */
  missing: PartUrl[];
  expiresAt: string;
}

const incomplete = (message: string, details?: Record<string, unknown>) =>
  new AppError('UPLOAD_INCOMPLETE', message, details);

const notPending = (record: UploadRecord) =>
  new AppError('UPLOAD_NOT_PENDING', `This upload is already ${record.status}.`, {
    status: record.status,
  });

/**
 * The parts S3 holds for a multipart upload (it answers in pages of up to 1,000), or `undefined` when it
 * no longer knows the upload: completed (a lost response) or aborted.
 */
async function heldParts(userId: string, record: UploadRecord): Promise<HeldPart[] | undefined> {
  const held: HeldPart[] = [];
  let marker: string | undefined;
  do {
    const page = await viaDependency('s3', () =>
      s3()
        .send(
          new ListPartsCommand({
            Bucket: bucketName(),
            Key: uploadKey(userId, record.uploadId),
            UploadId: record.multipartId,
            PartNumberMarker: marker,
          }),
        )
        .catch((e: Error) => {
          if (e.name === 'NoSuchUpload') return undefined;
          throw e;
        }),
    );
    if (!page) return undefined;
    held.push(
      ...(page.Parts ?? []).map((p: Part) => ({ partNumber: p.PartNumber!, etag: p.ETag!, size: p.Size! })),
    );
    marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
  } while (marker);
  return held;
}

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
  await viaDependency('s3', async () => {
    try {
      await s3().send(
        new CompleteMultipartUploadCommand({
          Bucket: bucketName(),
          Key: uploadKey(userId, record.uploadId),
          UploadId: record.multipartId,
          MultipartUpload: {
            Parts: [...parts]
              .sort((a, b) => a.partNumber - b.partNumber)
              .map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })),
          },
        }),
      );
    } catch (e) {
      const name = (e as Error).name;
      if (name === 'NoSuchUpload') return; // completed before
      if (name === 'InvalidPart' || name === 'InvalidPartOrder' || name === 'EntityTooSmall') {
        throw incomplete(`S3 refused the parts (${name}); check the part numbers and ETags.`);
      }
      throw e;
    }
  });
}

export async function uploadStatus(userId: string, uploadId: string): Promise<UploadView> {
  return toView(await getRecord(userId, uploadId));
}

/** Removes an upload whatever its state: S3 multipart state, both objects, the record. */
export async function removeUpload(userId: string, record: UploadRecord): Promise<void> {
  if (record.method === 'MULTIPART' && record.status === 'pending') {
    await viaDependency('s3', () =>
      s3()
        .send(
          new AbortMultipartUploadCommand({
            Bucket: bucketName(),
            Key: uploadKey(userId, record.uploadId),
            UploadId: record.multipartId,
          }),
        )
        .catch((e: Error) => {
          if (e.name !== 'NoSuchUpload') throw e;
        }),
    );
  }
  await deleteObject(uploadKey(userId, record.uploadId));
  await deleteObject(validatedKey(userId, record.uploadId));
  await deleteRecord(record);
}

/** DELETE /v1/uploads/{id}. */
export async function abortUpload(userId: string, uploadId: string): Promise<void> {
  await removeUpload(userId, await getRecord(userId, uploadId));
}
