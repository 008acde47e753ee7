import { sourceOf } from '../captcha/login-failures.ts';
import { config } from '../config.ts';
import { cacheStore } from '../store/cache.ts';
import { captchaGlobalIssueKey, captchaIssueKey } from '../store/keys.ts';
import { WINDOW_KEY_TTL_SECONDS, minuteWindow, rateLimitHeaders, rateLimited } from './window.ts';

/**
 * Captcha issuance limits: CAPTCHA_PER_ADDRESS_PER_MINUTE per source (an IPv6 client by its /64) and
 * CAPTCHA_GLOBAL_PER_MINUTE in all, both fixed one-minute windows decided and counted in one script, so
 * 20 concurrent requests at a limit of 20 get exactly 20 captchas. A request refused by its address does
 * not use the global budget. Redis down: 503 (fail closed), like every limiter here. Answers per
 * captcha (3) are counted with the captcha itself (shared/captcha/challenge.ts).
 */
const SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ${WINDOW_KEY_TTL_SECONDS}) end
if n > tonumber(ARGV[1]) then return {1, n} end
local total = redis.call('INCR', KEYS[2])
if total == 1 then redis.call('EXPIRE', KEYS[2], ${WINDOW_KEY_TTL_SECONDS}) end
if total > tonumber(ARGV[2]) then return {2, n} end
return {0, n}
`;

/** Counts one captcha for `ip`; throws 429 RATE_LIMITED (with `details.scope`) when over a limit. */
export async function consumeCaptchaIssue(ip: string, nowMs = Date.now()): Promise<Record<string, string>> {
  const { CAPTCHA_PER_ADDRESS_PER_MINUTE: limit, CAPTCHA_GLOBAL_PER_MINUTE: globalLimit } = config();
  const window = minuteWindow(nowMs);
  const [verdict, count] = await cacheStore.runScript<[number, number]>(
    SCRIPT,
    [captchaIssueKey(sourceOf(ip), window.index), captchaGlobalIssueKey(window.index)],
    [String(limit), String(globalLimit)],
  );
  const headers = rateLimitHeaders(limit, count, window);
  if (verdict === 1)
    throw rateLimited(`At most ${limit} captchas per minute from one address.`, headers, window, {
      scope: 'address',
    });
  if (verdict === 2)
    throw rateLimited(
      'The service is issuing too many captchas right now; try again shortly.',
      headers,
      window,
      {
        scope: 'global',
      },
    );
  return headers;
}
