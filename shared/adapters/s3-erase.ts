import { DeleteObjectsCommand, ListObjectsV2Command, type _Object } from '@aws-sdk/client-s3';
import { viaDependency } from '../errors.ts';
import { bucketName, s3 } from './s3.ts';

/** Every object under a prefix, page by page (ListObjectsV2 returns at most 1000 at a time). */
export async function* listObjects(prefix: string): AsyncGenerator<_Object[]> {
  let token: string | undefined;
  do {
    const page = await viaDependency('s3', () =>
      s3().send(new ListObjectsV2Command({ Bucket: bucketName(), Prefix: prefix, ContinuationToken: token })),
    );
    yield page.Contents ?? [];
    token = page.NextContinuationToken;
  } while (token);
}

/** Deletes objects by key, 1000 per request (S3's batch limit). */
export async function deleteObjects(keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
    await viaDependency('s3', () =>
      s3().send(new DeleteObjectsCommand({ Bucket: bucketName(), Delete: { Objects: batch, Quiet: true } })),
    );
  }
}

/** Deletes everything under a prefix (erasure). */
export async function deletePrefix(prefix: string): Promise<void> {
  for await (const page of listObjects(prefix)) {
    await deleteObjects(page.flatMap((o) => (o.Key ? [o.Key] : [])));
  }
}
