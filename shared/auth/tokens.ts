import { randomBytes } from 'node:crypto';
import { config } from '../config.ts';
import { AppError } from '../errors.ts';
import { hmacBase64Url, hmacHex, safeEqual } from './crypto.ts';

/**
 * Session tokens are self-contained and HMAC-signed (`v1.<payload>.<mac>`), so verifying one costs
 * no I/O. The per-session signing key is derived from the session id with the server secret:
 * it is never stored, and only the holder of the token's session (and the server) knows it.
 */
export interface Session {
  userId: string;
  sessionId: string;
  expiresAt: number; // epoch seconds
}

const secret = () => config().AUTH_SECRET;

export const signingKeyFor = (sessionId: string): string => hmacHex(secret(), `signing-key:${sessionId}`);

/** A stable, opaque user id per WeChat openid; the openid itself never appears in our API. */
export const userIdFor = (appId: string, openid: string): string =>
  'u_' + hmacHex(secret(), `user:${appId}:${openid}`).slice(0, 24);

export function issueSession(userId: string, now = Math.floor(Date.now() / 1000)) {
  const session: Session = {
    userId,
    sessionId: randomBytes(16).toString('base64url'),
    expiresAt: now + config().SESSION_TTL_SECONDS,
  };
  const payload = Buffer.from(
    JSON.stringify([session.userId, session.sessionId, session.expiresAt]),
  ).toString('base64url');
  const token = `v1.${payload}.${hmacBase64Url(secret(), `token:${payload}`)}`;
  return { session, token, signingKey: signingKeyFor(session.sessionId) };
}

export function verifyToken(token: string, now = Math.floor(Date.now() / 1000)): Session {
  const [version, payload, mac] = token.split('.');
  if (version !== 'v1' || !payload || !mac || !safeEqual(mac, hmacBase64Url(secret(), `token:${payload}`))) {
    throw new AppError('UNAUTHENTICATED', 'The session token is not valid.');
  }
  const [userId, sessionId, expiresAt] = JSON.parse(Buffer.from(payload, 'base64url').toString()) as [
    string,
    string,
    number,
  ];
  if (expiresAt <= now) throw new AppError('UNAUTHENTICATED', 'The session has expired; sign in again.');
  return { userId, sessionId, expiresAt };
}
