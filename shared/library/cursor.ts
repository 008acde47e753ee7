import { validationFailed } from '../errors.ts';
import { ID_PATTERN } from './ids.ts';

/**
 * Opaque list cursors: base64url of `{"after": personId}`. Only the id travels; the partition always comes
 * from the caller's identity, so a cursor cannot reach another user's items.
 */
export function encodeCursor(afterPersonId: string): string {
  return Buffer.from(JSON.stringify({ after: afterPersonId })).toString('base64url');
}

/** Throws 400 VALIDATION_FAILED (field `cursor`) for anything this service did not issue. */
export function decodeCursor(cursor: string): string {
  let after: unknown;
  try {
    after = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown }).after;
  } catch {
    after = undefined;
  }
  if (typeof after !== 'string' || !ID_PATTERN.test(after)) {
    throw validationFailed({ cursor: 'is not a cursor returned by this endpoint' });
  }
  return after;
}
