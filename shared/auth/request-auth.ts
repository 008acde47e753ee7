import { AppError } from '../errors.ts';
import { cacheStore } from '../store/cache.ts';
import { nonceKey } from '../store/keys.ts';
import { NONCE_PATTERN, canonicalPath, parseQuery, stringToSign } from '../client/canonical.ts';
import { bearerToken } from './bearer.ts';
import { hmacHex, safeEqual, sha256Hex } from './crypto.ts';
import { signingKeyFor, verifyToken, type Session } from './tokens.ts';

export const MAX_SKEW_SECONDS = 300;

export interface SignedRequest {
  method: string;
  /** The path as received (the event's rawPath), percent-encoding and trailing slash kept. */
  path: string;
  rawQuery: string;
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

const missing = (header: string) =>
  new AppError('MISSING_SIGNATURE_HEADER', `The ${header} header is missing or malformed.`);

/**
 * Checks, in order: bearer token, presence of the signing headers, clock skew, signature, and
 * finally the nonce, so that only a correctly signed request can consume a nonce.
 */
export async function authenticateRequest(
  req: SignedRequest,
  now = Math.floor(Date.now() / 1000),
): Promise<Session> {
  const token = bearerToken(req.headers['authorization']);
  if (!token) throw new AppError('UNAUTHENTICATED', 'Sign in first: Authorization: Bearer <token>.');
  const session = verifyToken(token, now);

  const timestamp = req.headers['x-timestamp'];
  const nonce = req.headers['x-nonce'];
  const signature = req.headers['x-signature'];
  if (!timestamp || !/^\d{1,20}$/.test(timestamp)) throw missing('X-Timestamp');
  if (!nonce || !NONCE_PATTERN.test(nonce)) throw missing('X-Nonce');
  if (!signature || !/^[0-9a-f]{64}$/.test(signature)) throw missing('X-Signature');

  if (Math.abs(now - Number(timestamp)) > MAX_SKEW_SECONDS) {
    // The usual cause of a far-future value: milliseconds sent where seconds are expected.
    const unit = Math.abs(now * 1000 - Number(timestamp)) <= MAX_SKEW_SECONDS * 1000 ? ' (milliseconds?)' : '';
    throw new AppError(
      'TIMESTAMP_SKEW',
      `X-Timestamp is more than ${MAX_SKEW_SECONDS} s from server time; it is Unix seconds${unit}.`,
    );
  }

  let query: [string, string][];
  try {
    query = parseQuery(req.rawQuery);
  } catch {
    throw new AppError('BAD_SIGNATURE', 'The query string cannot be decoded.');
  }
  const key = signingKeyFor(session.sessionId);
  const input = {
    method: req.method,
    path: req.path,
    query,
    timestamp,
    nonce,
    bodySha256Hex: sha256Hex(req.rawBody),
  };
  // The canonical path (canonicalPath: percent-encoding in one form) is what our clients sign; a
  // client that signed an unusual spelling literally, as sent, is accepted too when the path arrived
  // with that spelling. Both spellings name the same resource.
  const valid =
    safeEqual(hmacHex(key, stringToSign(input)), signature) ||
    (canonicalPath(req.path) !== req.path &&
      safeEqual(hmacHex(key, stringToSign({ ...input, literalPath: true })), signature));
  if (!valid) {
    throw new AppError('BAD_SIGNATURE', 'The request signature does not match.');
  }

  // SET NX is atomic: of any number of concurrent requests with one nonce, exactly one wins.
  // Keep it a little longer than the window in which its timestamp stays acceptable.
  const fresh = await cacheStore.claim(nonceKey(session.userId, nonce), 2 * MAX_SKEW_SECONDS + 5);
  if (!fresh) throw new AppError('REPLAYED_REQUEST', 'This nonce was already used.');
  return session;
}
