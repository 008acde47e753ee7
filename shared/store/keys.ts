import { createHash } from 'node:crypto';

/**
 * Every key the service stores under, in one place: DynamoDB item keys, S3 object keys and Redis key
 * names. Everything a user owns is keyed by their id: table items live in the owner's partition
 * `USER#<userId>`, objects under a `<kind>/<userId>/` prefix, Redis keys carry the user id; so another
 * user's ids never resolve, and erasure finds everything by prefix.
 */

export type Key = { pk: string; sk: string };

// ---- DynamoDB (single table: pk, sk; GSI gsi1 on gsi1pk, gsi1sk) ----

/** The owner partition: every user-owned item lives in it. */
export const ownerPk = (userId: string) => `USER#${userId}`;

/** Face library: persons at `PERSON#<personId>`, faces at `FACE#<personId>#<faceId>` (one query lists a
 * person's faces, another all faces of the owner for the gallery). */
export const PERSON_PREFIX = 'PERSON#';
export const FACE_PREFIX = 'FACE#';
export const personKey = (userId: string, personId: string): Key => ({
  pk: ownerPk(userId),
  sk: `${PERSON_PREFIX}${personId}`,
});
export const personFacesPrefix = (personId: string) => `${FACE_PREFIX}${personId}#`;
export const faceKey = (userId: string, personId: string, faceId: string): Key => ({
  pk: ownerPk(userId),
  sk: `${personFacesPrefix(personId)}${faceId}`,
});

export const UPLOAD_PREFIX = 'UPLOAD#';
export const uploadItemKey = (userId: string, uploadId: string): Key => ({
  pk: ownerPk(userId),
  sk: `${UPLOAD_PREFIX}${uploadId}`,
});

/**
 * Sites and the cameras their heartbeats report:
 *   site:   pk USER#<owner>  sk SITE#<siteId>            gsi1pk SITE#<siteId> gsi1sk SITE
 *   camera: pk USER#<owner>  sk CAMERA#<siteId>#<camId>
 */
export const SITE_PREFIX = 'SITE#';
export const CAMERA_PREFIX = 'CAMERA#';
export const siteKey = (userId: string, siteId: string): Key => ({
  pk: ownerPk(userId),
  sk: `${SITE_PREFIX}${siteId}`,
});
/** The edge authenticates by site id alone, so a site is also found by id through the GSI. */
export const siteIndexKey = (siteId: string) => ({ gsi1pk: `${SITE_PREFIX}${siteId}`, gsi1sk: 'SITE' });
export const siteCamerasPrefix = (siteId: string) => `${CAMERA_PREFIX}${siteId}#`;
export const cameraKey = (userId: string, siteId: string, cameraId: string): Key => ({
  pk: ownerPk(userId),
  sk: `${siteCamerasPrefix(siteId)}${cameraId}`,
});

/**
 * A site's presence, written by each heartbeat and read by the offline sweep (cameras/sweep.ts):
 *   presence: pk USER#<owner>  sk PRESENCE#<siteId>     gsi1pk ONLINE#<shard> gsi1sk <lastSeenAt>#<siteId>
 * An item of its own in the owner's partition (so erasure and export find it by prefix), indexed only
 * while the site is online: the sweep finds silent sites with one range query per shard instead of a
 * scan, and removes the index keys when it marks a site offline (sparse). Every heartbeat rewrites the
 * sort key, so the index is spread over PRESENCE_SHARDS partitions by a hash of the site id.
 */
export const PRESENCE_PREFIX = 'PRESENCE#';
export const PRESENCE_SHARDS = 16;
export const presenceKey = (userId: string, siteId: string): Key => ({
  pk: ownerPk(userId),
  sk: `${PRESENCE_PREFIX}${siteId}`,
});
export const onlineShardPk = (shard: number) => `ONLINE#${shard}`;
export const presenceShard = (siteId: string) =>
  createHash('sha256').update(siteId).digest().readUInt32BE(0) % PRESENCE_SHARDS;
/** ISO timestamps sort as text, so `gsi1sk < <cutoff ISO>` selects the sites last seen before it. */
export const presenceIndexKey = (siteId: string, lastSeenAt: string) => ({
  gsi1pk: onlineShardPk(presenceShard(siteId)),
  gsi1sk: `${lastSeenAt}#${siteId}`,
});

/** Sign-ins (the WeChat session key kept with each). */
export const SESSION_PREFIX = 'SESSION#';
export const sessionKey = (userId: string, sessionId: string): Key => ({
  pk: ownerPk(userId),
  sk: `${SESSION_PREFIX}${sessionId}`,
});

/** The audit log: the sort key is the time line. */
export const AUDIT_PREFIX = 'AUDIT#';
export const auditKey = (userId: string, at: string, requestId: string): Key => ({
  pk: ownerPk(userId),
  sk: `${AUDIT_PREFIX}${at}#${requestId}`,
});

/** An item that never exists, read by the health check. */
export const HEALTH_KEY: Key = { pk: 'HEALTH', sk: 'HEALTH' };

// ---- S3 objects ----

/** Everything the library stores for a user (face crops). */
export const ownerFacesPrefix = (userId: string) => `users/${userId}/faces/`;
export const faceCropKey = (userId: string, personId: string, faceId: string) =>
  `${ownerFacesPrefix(userId)}${personId}/${faceId}.jpg`;

/**
 * Upload objects live under one bucket prefix, `uploads/`, so that one S3 lifecycle rule expires them all
 * (serverless.yml); per user `uploads/<userId>/<uploadId>` (the bytes as sent) and
 * `uploads/<userId>/validated/<uploadId>` (metadata stripped).
 */
export const UPLOADS_PREFIX = 'uploads/';
export const userUploadsPrefix = (userId: string) => `${UPLOADS_PREFIX}${userId}/`;
export const uploadKey = (userId: string, uploadId: string) => `${userUploadsPrefix(userId)}${uploadId}`;
export const validatedKey = (userId: string, uploadId: string) =>
  `${userUploadsPrefix(userId)}validated/${uploadId}`;

/** The owner and upload id an upload original's key names (the id not yet checked). */
export function parseUploadKey(key: string): { userId: string; uploadId: string } | undefined {
  const match = /^uploads\/([^/]+)\/([^/]+)$/.exec(key);
  return match ? { userId: match[1]!, uploadId: match[2]! } : undefined;
}

/** The same for any upload object, original or validated copy. */
export function parseAnyUploadKey(key: string): { userId: string; uploadId: string } | undefined {
  const match = /^uploads\/([^/]+)\/(?:validated\/)?([^/]+)$/.exec(key);
  return match ? { userId: match[1]!, uploadId: match[2]! } : undefined;
}

/** Large data exports (expired by a lifecycle rule after a day, and by erasure). */
export const exportPrefix = (userId: string) => `exports/${userId}/`;
export const exportKey = (userId: string, exportedAt: string) =>
  `${exportPrefix(userId)}${exportedAt.replace(/[:.]/g, '-')}.json`;

// ---- Redis ----

/** Escapes Redis glob characters in a literal key part. */
export const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');

/** A request-signing nonce, claimed once per user. */
export const nonceKey = (userId: string, nonce: string) => `nonce:${userId}:${nonce}`;

/** Face-request limits: the per-minute window, the user's and the service's daily usage (UTC day). */
export const faceRateKey = (userId: string, minute: number) => `rl:face:${userId}:${minute}`;
export const dailyUsageKey = (userId: string, day: string) => `quota:${userId}:${day}`;
export const globalUsageKey = (day: string) => `quota:global:${day}`;

/** Captcha issuance per source address and in all, per one-minute window. */
export const captchaIssueKey = (source: string, minute: number) => `rl:captcha:${source}:${minute}`;
export const captchaGlobalIssueKey = (minute: number) => `rl:captcha:global:${minute}`;

/** Proof of work: a subject's (address or user) decaying friction score, and a spent challenge. */
export const powScoreKey = (subject: string) => `pow:score:${subject}`;
export const powUsedKey = (challenge: string) => `pow:used:${challenge}`;

/** A captcha challenge, and a solved captcha's single-use token (by its SHA-256). */
export const captchaKey = (captchaId: string) => `captcha:${captchaId}`;
export const captchaTokenKey = (tokenSha256: string) => `captcha-token:${tokenSha256}`;

/** Failed logins, and the distinct users who signed in, per source address. */
export const loginFailuresKey = (source: string) => `login-failures:${source}`;
export const loginUsersKey = (source: string) => `login-users:${source}`;

/** Liveness challenge sessions: the challenge, its one claim, its pass (see liveness/sessions.ts). */
export const livenessSessionKey = (userId: string, id: string) => `liveness:session:${userId}:${id}`;
export const livenessUsedKey = (userId: string, id: string) => `liveness:used:${userId}:${id}`;
export const livenessPassedKey = (userId: string, id: string) => `liveness:passed:${userId}:${id}`;
/** A passive liveness image seen recently (replay mark). */
export const livenessReplayKey = (userId: string, imageSha256: string) => `liveness:${userId}:${imageSha256}`;
/** Globs matching every liveness key of a user (erasure). */
export const livenessPatterns = (userId: string) => [
  `liveness:*:${escapeGlob(userId)}:*`,
  `liveness:${escapeGlob(userId)}:*`,
];

/** Cached face results, per user. */
export const resultCachePrefix = (userId: string) => `cache:${userId}:`;
export const resultCacheKey = (userId: string, kind: string, imageSha256: string, options: string) =>
  `${resultCachePrefix(userId)}${kind}:${imageSha256}:${options}`;

/** The version stamp of a user's gallery. */
export const galleryVersionKey = (userId: string) => `gallery:${userId}:version`;

/** Messages sent to one WeCom robot (by the first characters of its key) in one minute. */
export const wecomSendKey = (robotKey: string, minute: number) =>
  `wecom:sent:${robotKey.slice(0, 8)}:${minute}`;
