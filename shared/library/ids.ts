import { createHash, randomBytes } from 'node:crypto';
import { notFound } from '../errors.ts';

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
