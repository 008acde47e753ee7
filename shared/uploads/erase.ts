import { userUploadsPrefix } from '../store/keys.ts';
import { objectStore } from '../store/objects.ts';
import { removeUpload } from './lifecycle.ts';
import { listRecords } from './records.ts';

/**
 * Erases every upload of a user (DELETE /v1/me/data): each recorded upload (aborting S3 multipart
 * state), then whatever objects remain under the user's upload prefix (e.g. a late POST). Idempotent.
 */
export async function eraseUploads(userId: string): Promise<void> {
  for (const record of await listRecords(userId)) await removeUpload(userId, record);
  await objectStore.deletePrefix(userUploadsPrefix(userId));
}
