import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { config } from '../config.ts';
import { AppError } from '../errors.ts';
import { cacheStore } from '../store/cache.ts';
import { captchaKey } from '../store/keys.ts';
import { randomCaptchaText, renderCaptcha, type CaptchaFormat } from './render.ts';
import { issueCaptchaToken } from './token.ts';

/**
 * Captcha challenges. The answer never leaves the server and is kept in Redis only as an HMAC (keyed
 * with AUTH_SECRET, bound to the captcha id), so a Redis dump reveals no answers. A challenge lives
 * CAPTCHA_TTL_SECONDS and is consumed by its first correct answer or by its last allowed wrong one.
 */

export const CAPTCHA_TTL_SECONDS = 300;
export const CAPTCHA_ATTEMPTS = 3;

const answerHash = (captchaId: string, answer: string) =>
  createHmac('sha256', config().AUTH_SECRET)
    .update(`captcha\n${captchaId}\n${answer.trim().toUpperCase()}`)
    .digest('hex');

/** The body of GET /v1/captcha. */
export const captchaSchema = z.object({
  captchaId: z.string(),
  image: z.string().meta({ description: 'data URI' }),
  expiresIn: z.number().int(),
});
export type Captcha = z.infer<typeof captchaSchema>;

const MIME: Record<CaptchaFormat, string> = { png: 'image/png', svg: 'image/svg+xml' };

export async function createCaptcha(format: CaptchaFormat = 'png'): Promise<Captcha> {
  const text = randomCaptchaText();
  const [captchaId, image] = await Promise.all([openChallenge(text), renderCaptcha(text, format)]);
  return {
    captchaId,
    image: `data:${MIME[format]};base64,${image.toString('base64')}`,
    expiresIn: CAPTCHA_TTL_SECONDS,
  };
}

/** Stores a challenge for `text` and returns its id (createCaptcha's first half; tests arrange with it). */
export async function openChallenge(text: string): Promise<string> {
  const captchaId = randomBytes(16).toString('base64url');
  const state = `${CAPTCHA_ATTEMPTS}:${answerHash(captchaId, text)}`;
  await cacheStore.set(captchaKey(captchaId), state, CAPTCHA_TTL_SECONDS);
  return captchaId;
}

/**
 * One atomic step of a challenge, whose state is `<attempts left>:<answer hash>`. Returns -1 when the
 * challenge does not exist (expired, consumed or never issued), -2 when the answer is right (the
 * challenge is deleted), otherwise the attempts left after this wrong answer (deleted at 0). A script,
 * so that concurrent answers can neither both pass nor share one attempt.
 */
const ATTEMPT_SCRIPT = `
local state = redis.call('GET', KEYS[1])
if not state then return -1 end
local left, hash = string.match(state, '^(%d+):(%x+)$')
if hash == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return -2
end
left = tonumber(left) - 1
if left <= 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], left .. ':' .. hash, 'KEEPTTL')
end
return left
`;

const captchaExpired = () =>
  new AppError('CAPTCHA_EXPIRED', 'This captcha has expired or was already used; request a new one.');

/**
 * Checks an answer (case-insensitive). Right: a single-use captcha token for the endpoint that asked for
 * the captcha. Wrong: 400 CAPTCHA_INCORRECT with `details.attemptsLeft`. Unknown, expired or consumed:
 * 410 CAPTCHA_EXPIRED.
 */
export async function verifyCaptcha(captchaId: string, answer: string): Promise<string> {
  const outcome = Number(
    await cacheStore.runScript(ATTEMPT_SCRIPT, [captchaKey(captchaId)], [answerHash(captchaId, answer)]),
  );
  if (outcome === -1) throw captchaExpired();
  if (outcome === -2) return issueCaptchaToken();
  throw new AppError('CAPTCHA_INCORRECT', 'The answer does not match the captcha.', {
    attemptsLeft: outcome,
  });
}
