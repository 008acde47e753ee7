import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { bucketName, s3 } from '../adapters/s3.ts';
import { viaDependency } from '../errors.ts';
import { deleteFaceCrops } from './faces.ts';
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
    await deleteFaceCrops(await listObjectKeys(ownerFacesPrefix(userId)));
  } finally {
    await bumpGalleryVersion(userId);
  }
}

async function listObjectKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await viaDependency('s3', () =>
      s3().send(new ListObjectsV2Command({ Bucket: bucketName(), Prefix: prefix, ContinuationToken: token })),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}
