import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { redis } from '../adapters/redis.ts';
import { viaDependency } from '../errors.ts';

/**
 * Failed logins per source address, for POST /v1/auth/session: after LOGIN_FAILURES_BEFORE_CAPTCHA
 * failures within LOGIN_FAILURE_WINDOW_SECONDS (a sliding window) the next login needs a captcha token.
 */

export const LOGIN_FAILURES_BEFORE_CAPTCHA = 5;
export const LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60;
/** Failures kept per source; more tell nothing new and would let one client grow the key without bound. */
const MAX_KEPT = 50;

/**
 * The source an address belongs to: an IPv4 address as is (IPv4-mapped IPv6 included), an IPv6
 * address by its /64, which a single client usually holds whole.
 */
export function sourceOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = ip.includes('::') ? [...headGroups, ...zeros, ...tailGroups] : headGroups;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

const key = (ip: string) => `login-failures:${sourceOf(ip)}`;

/** Adds a failure at ARGV[1] (ms) and drops those older than the window ARGV[2] (ms); returns the count. */
const RECORD_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -${MAX_KEPT + 1})
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('ZCARD', KEYS[1])
`;

/** Records one failed login from `ip`; returns the failures from its source within the window. */
export async function recordFailedLogin(ip: string, now = Date.now()): Promise<number> {
  const windowMs = LOGIN_FAILURE_WINDOW_SECONDS * 1000;
  const member = `${now}:${randomBytes(6).toString('hex')}`;
  return Number(
    await viaDependency('redis', () => redis().eval(RECORD_SCRIPT, [key(ip)], [now, windowMs, member])),
  );
}

/** Whether a login from `ip` must present a captcha token. */
export async function captchaRequired(ip: string, now = Date.now()): Promise<boolean> {
  const since = now - LOGIN_FAILURE_WINDOW_SECONDS * 1000;
  const failures = await viaDependency('redis', () => redis().zcount(key(ip), `(${since}`, '+inf'));
  return failures >= LOGIN_FAILURES_BEFORE_CAPTCHA;
}
