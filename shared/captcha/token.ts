import { createHash, randomBytes } from 'node:crypto';
import { cacheStore } from '../store/cache.ts';
import { captchaTokenKey } from '../store/keys.ts';

/**
 * The proof of a solved captcha: a random token, short-lived and single-use, that an endpoint asking for
 * a captcha (POST /v1/auth/session after repeated failures) consumes. Redis keeps only its SHA-256.
 */

export const CAPTCHA_TOKEN_TTL_SECONDS = 120;

const key = (token: string) => captchaTokenKey(createHash('sha256').update(token).digest('hex'));

export async function issueCaptchaToken(): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await cacheStore.set(key(token), '1', CAPTCHA_TOKEN_TTL_SECONDS);
  return token;
}

/** True exactly once per issued, unexpired token (DEL is atomic: of concurrent callers one wins). */
export async function consumeCaptchaToken(token: string): Promise<boolean> {
  if (!token) return false;
  return cacheStore.take(key(token));
}
