import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { bucketName, s3 } from '../adapters/s3.ts';
import { viaDependency } from '../errors.ts';
import { removeUpload } from './lifecycle.ts';
import { listRecords, uploadPrefixes } from './records.ts';

/**
 * Erases every upload of a user (DELETE /v1/me/data): each recorded upload (aborting S3 multipart
 * state), then whatever objects remain under the user's upload prefixes (e.g. a late POST). Idempotent.
 */
export async function eraseUploads(userId: string): Promise<void> {
  for (const record of await listRecords(userId)) await removeUpload(userId, record);
  for (const prefix of uploadPrefixes(userId)) await deletePrefix(prefix);
}

async function deletePrefix(prefix: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await viaDependency('s3', () =>
      s3().send(new ListObjectsV2Command({ Bucket: bucketName(), Prefix: prefix, ContinuationToken: token })),
    );
    const objects = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (objects.length > 0) {
      await viaDependency('s3', () =>
        s3().send(
          new DeleteObjectsCommand({ Bucket: bucketName(), Delete: { Objects: objects, Quiet: true } }),
        ),
      );
    }
    token = page.NextContinuationToken;
  } while (token);
}
