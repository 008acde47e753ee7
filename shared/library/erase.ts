import { FACE_PREFIX, PERSON_PREFIX, ownerFacesPrefix } from '../store/keys.ts';
import { objectStore } from '../store/objects.ts';
import { deleteOwnerItems } from '../store/table.ts';
import { bumpGalleryVersion } from './gallery-version.ts';

/**
 * Erases the caller's face library: persons first (an enrolment racing with the erase then fails its
 * person check and takes its face back out), then faces, then every crop under the user's S3 prefix. Idempotent; run it again after
 * a failure. Uploads and cached results belong to their own modules (see functions/me-data-delete.ts).
 */
export async function eraseLibrary(userId: string): Promise<void> {
  try {
    for (const prefix of [PERSON_PREFIX, FACE_PREFIX]) await deleteOwnerItems(userId, prefix);
    await objectStore.deletePrefix(ownerFacesPrefix(userId));
  } finally {
    await bumpGalleryVersion(userId);
  }
}
