import { createHash, randomBytes } from 'node:crypto';
import { notFound } from '../errors.ts';

/**
 * Item keys of the face library in the single table. Everything lives in the owner's partition, so another
 * user's ids never resolve: persons at `PERSON#<personId>`, faces at `FACE#<personId>#<faceId>` (one query
 * lists a person's faces, another all faces of the owner for the gallery).
 */
export const ownerPk = (userId: string) => `USER#${userId}`;
export const PERSON_PREFIX = 'PERSON#';
export const FACE_PREFIX = 'FACE#';
export const personSk = (personId: string) => `${PERSON_PREFIX}${personId}`;
export const personFacesPrefix = (personId: string) => `${FACE_PREFIX}${personId}#`;
export const faceSk = (personId: string, faceId: string) => `${personFacesPrefix(personId)}${faceId}`;
export const personKey = (userId: string, personId: string) => ({
  pk: ownerPk(userId),
  sk: personSk(personId),
});
export const faceKey = (userId: string, personId: string, faceId: string) => ({
  pk: ownerPk(userId),
  sk: faceSk(personId, faceId),
});

/** S3 prefix of everything the library stores for a user (face crops). */
export const ownerFacesPrefix = (userId: string) => `users/${userId}/faces/`;
export const faceCropKey = (userId: string, personId: string, faceId: string) =>
  `${ownerFacesPrefix(userId)}${personId}/${faceId}.jpg`;

/** Ids look like this; anything else cannot exist and is answered 404 without a lookup. */
export const ID_PATTERN = /^[a-z0-9]{1,40}$/;

export function requireId(id: string, what: string): void {
  if (!ID_PATTERN.test(id)) throw notFound(what);
}

/** Time-ordered (base-36 milliseconds first), so listing by sort key lists persons oldest first. */
export function newPersonId(now = Date.now()): string {
  return `p${now.toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`;
}

/**
 * A face's id is derived from its person and the SHA-256 of the enrolled image bytes: enrolling the same
 * image twice addresses the same item, which makes the duplicate check a conditional put, race-free.
 */
export function faceIdFor(personId: string, imageSha256: string): string {
  return `f${createHash('sha256').update(`${personId}\n${imageSha256}`).digest('hex').slice(0, 24)}`;
}
