import { deletePrefix } from '../adapters/s3-erase.ts';
import { bumpGalleryVersion } from './gallery-version.ts';
import { FACE_PREFIX, PERSON_PREFIX, ownerFacesPrefix, ownerPk } from './keys.ts';
import { deleteAll, queryPrefix, type Key } from './table.ts';

/**
 * Erases the caller's face library: persons first (an enrolment racing with the erase then fails its
 * person check and takes its face back out), then faces, then every crop under the user's S3 prefix. Idempotent; run it again after
 * a failure. Uploads and cached results belong to their own modules (see functions/me-data-delete.ts).
 */
export async function eraseLibrary(userId: string): Promise<void> {
  try {
    for (const prefix of [PERSON_PREFIX, FACE_PREFIX]) {
      await deleteAll(await queryPrefix<Key>(ownerPk(userId), prefix, ['pk', 'sk']));
    }
    await deletePrefix(ownerFacesPrefix(userId));
  } finally {
    await bumpGalleryVersion(userId);
  }
}
