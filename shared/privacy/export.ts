import { allAudit } from '../audit/audit-log.ts';
import {
  CAMERA_PREFIX,
  FACE_PREFIX,
  PERSON_PREFIX,
  PRESENCE_PREFIX,
  SESSION_PREFIX,
  SITE_PREFIX,
  UPLOAD_PREFIX,
  exportKey,
  exportPrefix,
} from '../store/keys.ts';
import { objectStore } from '../store/objects.ts';
import { ownerItems } from '../store/table.ts';

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

type Item = Record<string, unknown>;
const pick = (item: Item, keys: string[]) =>
  Object.fromEntries(keys.filter((k) => item[k] !== undefined).map((k) => [k, item[k]]));

/** Each kind of item in the partition, and the fields of it a person may see. */
const SECTIONS = {
  persons: [PERSON_PREFIX, ['personId', 'name', 'meta', 'consent', 'faceCount', 'createdAt', 'updatedAt']],
  faces: [
    FACE_PREFIX,
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
    UPLOAD_PREFIX,
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
  sites: [SITE_PREFIX, ['siteId', 'name', 'publicUrl', 'lastSeenAt', 'createdAt']],
  cameras: [CAMERA_PREFIX, ['siteId', 'cameraId', 'name', 'status', 'width', 'height', 'lastSeenAt']],
  /** When each site last reported, and since when it is offline (edge sweep). */
  sitePresence: [PRESENCE_PREFIX, ['siteId', 'lastSeenAt', 'offlineSince']],
  /** Sign-ins: when, not the WeChat session key kept with them. */
  sessions: [SESSION_PREFIX, ['createdAt', 'ttl']],
} as const satisfies Record<string, readonly [string, readonly string[]]>;

export async function buildExport(userId: string) {
  const sections = Object.fromEntries(
    await Promise.all(
      Object.entries(SECTIONS).map(async ([name, [prefix, fields]]) => {
        const items = await ownerItems<Item>(userId, prefix);
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
  const key = exportKey(userId, document.exportedAt);
  await objectStore.put(key, json, 'application/json');
  const url = await objectStore.presignGet(key, DOWNLOAD_SECONDS);
  return {
    format: document.format,
    exportedAt: document.exportedAt,
    userId,
    download: { url, bytes, expiresAt: new Date(Date.now() + DOWNLOAD_SECONDS * 1000).toISOString() },
  };
}

/** Erasure: the export files too. */
export const eraseExports = (userId: string) => objectStore.deletePrefix(exportPrefix(userId));
