import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { viaDependency } from '../errors.ts';
import { bucketName, s3, s3ForPresigning } from './s3.ts';

/**
 * The bucket: objects (face crops, uploads, exports) and the multipart and presigned operations of
 * uploads. Every failure becomes a typed error (viaDependency: 503 for an outage, 500 when S3 refused
 * the request); answers S3 gives for a missing object or upload are results, not errors.
 */

const s3Call = <T>(call: () => Promise<T>) => viaDependency('s3', call);

/** Runs an S3 call whose error named `missing` means "not there": resolves to `undefined` then. */
const unlessMissing = <T>(missing: string, call: () => Promise<T>) =>
  s3Call(() =>
    call().catch((e: Error) => {
      if (e.name === missing) return undefined;
      throw e;
    }),
  );

export interface StoredObject {
  key: string;
  lastModified?: Date;
}

export interface HeldPart {
  partNumber: number;
  etag: string;
  size: number;
}

/** Why S3 refused to assemble a multipart upload from the parts given. */
export type PartsRefusal = 'InvalidPart' | 'InvalidPartOrder' | 'EntityTooSmall';
const PARTS_REFUSALS = new Set<string>(['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall']);

export const objectStore = {
  /** An object's bytes, or `undefined` when it does not exist (yet, or any more). */
  get: (key: string) =>
    unlessMissing('NoSuchKey', async () => {
      const out = await s3().send(new GetObjectCommand({ Bucket: bucketName(), Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    }),

  put: async (key: string, body: Buffer | string, contentType: string) => {
    await s3Call(() =>
      s3().send(
        new PutObjectCommand({ Bucket: bucketName(), Key: key, Body: body, ContentType: contentType }),
      ),
    );
  },

  delete: async (key: string) => {
    await s3Call(() => s3().send(new DeleteObjectCommand({ Bucket: bucketName(), Key: key })));
  },

  /** Deletes objects by key, 1000 per request (S3's batch limit). */
  async deleteMany(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      await s3Call(() =>
        s3().send(
          new DeleteObjectsCommand({ Bucket: bucketName(), Delete: { Objects: batch, Quiet: true } }),
        ),
      );
    }
  },

  /** Every object under a prefix, page by page (ListObjectsV2 returns at most 1000 at a time). */
  async *list(prefix: string): AsyncGenerator<StoredObject[]> {
    let token: string | undefined;
    do {
      const page = await s3Call(() =>
        s3().send(
          new ListObjectsV2Command({ Bucket: bucketName(), Prefix: prefix, ContinuationToken: token }),
        ),
      );
      yield (page.Contents ?? []).flatMap((o) =>
        o.Key ? [{ key: o.Key, lastModified: o.LastModified }] : [],
      );
      token = page.NextContinuationToken;
    } while (token);
  },

  /** Deletes everything under a prefix (erasure). */
  async deletePrefix(prefix: string): Promise<void> {
    for await (const page of objectStore.list(prefix)) await objectStore.deleteMany(page.map((o) => o.key));
  },

  /** A presigned GET for a browser or phone. */
  presignGet: (key: string, expiresIn: number) =>
    s3Call(() =>
      getSignedUrl(s3ForPresigning(), new GetObjectCommand({ Bucket: bucketName(), Key: key }), {
        expiresIn,
      }),
    ),

  /**
   * A presigned POST whose policy pins the key, each field (as an equality condition) and the exact
   * length.
   */
  presignPost: (key: string, post: { fields: Record<string, string>; size: number; expiresIn: number }) =>
    s3Call(() =>
      createPresignedPost(s3ForPresigning(), {
        Bucket: bucketName(),
        Key: key,
        Fields: post.fields,
        Conditions: [['content-length-range', post.size, post.size]],
        Expires: post.expiresIn,
      }),
    ),

  /** Starts a multipart upload; returns S3's id of it. */
  createMultipart: async (key: string, contentType: string) =>
    (
      await s3Call(() =>
        s3().send(
          new CreateMultipartUploadCommand({ Bucket: bucketName(), Key: key, ContentType: contentType }),
        ),
      )
    ).UploadId,

  /** Presigned PUT URLs for parts of a multipart upload. */
  presignParts: (key: string, multipartId: string | undefined, partNumbers: number[], expiresIn: number) =>
    s3Call(() =>
      Promise.all(
        partNumbers.map(async (partNumber) => ({
          partNumber,
          url: await getSignedUrl(
            s3ForPresigning(),
            new UploadPartCommand({
              Bucket: bucketName(),
              Key: key,
              UploadId: multipartId,
              PartNumber: partNumber,
            }),
            { expiresIn },
          ),
        })),
      ),
    ),

  /**
   * The parts S3 holds for a multipart upload (it answers in pages of up to 1,000), or `undefined` when
   * it no longer knows the upload: completed or aborted.
   */
  async heldParts(key: string, multipartId: string | undefined): Promise<HeldPart[] | undefined> {
    const held: HeldPart[] = [];
    let marker: string | undefined;
    do {
      const page = await unlessMissing('NoSuchUpload', () =>
        s3().send(
          new ListPartsCommand({
            Bucket: bucketName(),
            Key: key,
            UploadId: multipartId,
            PartNumberMarker: marker,
          }),
        ),
      );
      if (!page) return undefined;
      held.push(
        ...(page.Parts ?? []).map((p) => ({ partNumber: p.PartNumber!, etag: p.ETag!, size: p.Size! })),
      );
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
    return held;
  },

  /**
   * Assembles a multipart upload from its parts (in part-number order): `completed`, `unknown` when S3
   * no longer knows the upload (completed before), or why S3 refused the parts.
   */
  completeMultipart: (
    key: string,
    multipartId: string | undefined,
    parts: readonly { partNumber: number; etag: string }[],
  ): Promise<'completed' | 'unknown' | PartsRefusal> =>
    s3Call(async () => {
      try {
        await s3().send(
          new CompleteMultipartUploadCommand({
            Bucket: bucketName(),
            Key: key,
            UploadId: multipartId,
            MultipartUpload: {
              Parts: [...parts]
                .sort((a, b) => a.partNumber - b.partNumber)
                .map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })),
            },
          }),
        );
        return 'completed';
      } catch (e) {
        const name = (e as Error).name;
        if (name === 'NoSuchUpload') return 'unknown';
        if (PARTS_REFUSALS.has(name)) return name as PartsRefusal;
        throw e;
      }
    }),

  /** Aborts a multipart upload; one S3 no longer knows is fine. */
  abortMultipart: async (key: string, multipartId: string | undefined) => {
    await unlessMissing('NoSuchUpload', () =>
      s3().send(new AbortMultipartUploadCommand({ Bucket: bucketName(), Key: key, UploadId: multipartId })),
    );
  },

  /** A real round trip for the health check (raw errors, no mapping). */
  ping: () => s3().send(new HeadBucketCommand({ Bucket: bucketName() })),
};
