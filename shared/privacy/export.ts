import { z } from 'zod';
import { allAudit, auditEntrySchema } from '../audit/audit-log.ts';
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
type SectionName = keyof typeof SECTIONS;

const section = z.array(z.record(z.string(), z.unknown())).optional();
const sectionSchemas = Object.fromEntries(Object.keys(SECTIONS).map((name) => [name, section])) as Record<
  SectionName,
  typeof section
>;

/** The body of GET /v1/me/export: the document inline, or only its `download` when it is too large. */
export const userDataExportSchema = z.object({
  format: z.literal('facegate-export/1'),
  exportedAt: z.iso.datetime(),
  userId: z.string(),
  ...sectionSchemas,
  audit: z.array(auditEntrySchema).optional(),
  notes: z.array(z.string()).optional(),
  download: z.object({ url: z.string(), bytes: z.number().int(), expiresAt: z.iso.datetime() }).optional(),
});
type UserDataExport = z.infer<typeof userDataExportSchema>;

export async function buildExport(userId: string): Promise<UserDataExport> {
  const sections = Object.fromEntries(
    await Promise.all(
      Object.entries(SECTIONS).map(async ([name, [prefix, fields]]) => {
        const items = await ownerItems<Item>(userId, prefix);
        return [name, items.map((item) => pick(item, [...fields]))] as const;
      }),
    ),
  ) as Record<SectionName, Item[]>;
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

export async function exportUserData(userId: string): Promise<UserDataExport> {
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
