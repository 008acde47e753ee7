import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { bucketName, s3, s3ForPresigning } from '../adapters/s3.ts';
import { deletePrefix } from '../adapters/s3-erase.ts';
import { allAudit } from '../audit/audit-log.ts';
import { viaDependency } from '../errors.ts';
import { ownerPk } from '../library/keys.ts';
import { queryPrefix } from '../library/table.ts';

/**
 * `GET /v1/me/export` (PIPL Art. 45, GDPR Art. 15/20): everything stored about the caller, read item by
 * item from the owner's partition and presented without secrets or templates: no face descriptors, no
 * edge-key hashes, no WeChat session keys. Images are listed by key and hash, not embedded.
 *
 * A Lambda response holds at most 6 MB. Up to INLINE_MAX_BYTES the document is the response body (4 MiB:
 * sealed by payload encryption, base64 makes it 5.6 MB, still under the limit); a larger one is written to S3 under `exports/<userId>/` (expired by a lifecycle rule after a day, and by
 * erasure) and the response carries a presigned GET for it instead of the sections.
 */
export const INLINE_MAX_BYTES = 4 * 1024 * 1024;
const DOWNLOAD_SECONDS = 900;
export const exportPrefix = (userId: string) => `exports/${userId}/`;

type Item = Record<string, unknown>;
const pick = (item: Item, keys: string[]) =>
  Object.fromEntries(keys.filter((k) => item[k] !== undefined).map((k) => [k, item[k]]));

/** Each kind of item in the partition, and the fields of it a person may see. */
const SECTIONS = {
  persons: ['PERSON#', ['personId', 'name', 'meta', 'consent', 'faceCount', 'createdAt', 'updatedAt']],
  faces: [
    'FACE#',
    [
      'faceId',
      'personId',
      'createdAt',
      'box',
      'quality',
      'imageSha256',
      'modelName',
      'modelVersion',
      'cropKey',
    ],
  ],
  uploads: [
    'UPLOAD#',
    [
      'uploadId',
      'status',
      'method',
      'contentType',
      'size',
      'sha256',
      'receivedSha256',
      'width',
      'height',
      'format',
      'reason',
      'createdAt',
      'expiresAt',
    ],
  ],
  sites: ['SITE#', ['siteId', 'name', 'publicUrl', 'lastSeenAt', 'createdAt']],
  cameras: ['CAMERA#', ['siteId', 'cameraId', 'name', 'status', 'width', 'height', 'lastSeenAt']],
  /** Sign-ins: when, not the WeChat session key kept with them. */
  sessions: ['SESSION#', ['createdAt', 'ttl']],
} as const satisfies Record<string, readonly [string, readonly string[]]>;

export async function buildExport(userId: string) {
  const sections = Object.fromEntries(
    await Promise.all(
      Object.entries(SECTIONS).map(async ([name, [prefix, fields]]) => {
        const items = await queryPrefix<Item>(ownerPk(userId), prefix);
        return [name, items.map((item) => pick(item, [...fields]))] as const;
      }),
    ),
  );
  return {
    format: 'facegate-export/1',
    exportedAt: new Date().toISOString(),
    userId,
    ...sections,
    audit: await allAudit(userId),
    notes: [
      'Face templates (descriptors) are derived data and are not exported; face crops are listed by their storage key.',
      'Liveness frames are never stored; liveness sessions live at most an hour in the cache and are not listed.',
    ],
  };
}

export async function exportUserData(userId: string) {
  const document = await buildExport(userId);
  const json = JSON.stringify(document);
  const bytes = Buffer.byteLength(json);
  if (bytes <= INLINE_MAX_BYTES) return document;
  const key = `${exportPrefix(userId)}${document.exportedAt.replace(/[:.]/g, '-')}.json`;
  await viaDependency('s3', () =>
    s3().send(
      new PutObjectCommand({ Bucket: bucketName(), Key: key, Body: json, ContentType: 'application/json' }),
    ),
  );
  const url = await getSignedUrl(
    s3ForPresigning(),
    new GetObjectCommand({ Bucket: bucketName(), Key: key }),
    {
      expiresIn: DOWNLOAD_SECONDS,
    },
  );
  return {
    format: document.format,
    exportedAt: document.exportedAt,
    userId,
    download: { url, bytes, expiresAt: new Date(Date.now() + DOWNLOAD_SECONDS * 1000).toISOString() },
  };
}

/** Erasure: the export files too. */
export const eraseExports = (userId: string) => deletePrefix(exportPrefix(userId));
