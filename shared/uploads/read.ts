import { sha256Hex } from '../auth/crypto.ts';
import { AppError, notFound } from '../errors.ts';
import { validatedKey } from '../store/keys.ts';
import { objectStore } from '../store/objects.ts';
import { getRecord } from './records.ts';

/**
 * The bytes of a validated upload (metadata stripped, orientation applied), for every endpoint that
 * takes `uploadId`, and the SHA-256 of the bytes the client sent. 404 NOT_FOUND: no such upload of this user (another user's id included). 409
 * UPLOAD_NOT_VALIDATED: still pending, a later call may succeed (complete it first). 422
 * UPLOAD_REJECTED: validation refused it (`details.reason`), it will never be usable.
 */
export async function loadUpload(
  userId: string,
  uploadId: string,
): Promise<{ bytes: Buffer; sha256: string }> {
  const record = await getRecord(userId, uploadId);
  if (record.status === 'pending') {
    throw new AppError('UPLOAD_NOT_VALIDATED', 'This upload is not validated yet; complete it first.', {
      uploadId,
    });
  }
  if (record.status === 'rejected') {
    throw new AppError('UPLOAD_REJECTED', 'This upload was rejected by validation.', {
      uploadId,
      reason: record.reason,
    });
  }
  const bytes = await objectStore.get(validatedKey(userId, uploadId));
  if (!bytes) throw notFound('upload');
  return { bytes, sha256: record.receivedSha256 ?? sha256Hex(bytes) };
}
