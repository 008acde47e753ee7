import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { cacheStore } from '../store/cache.ts';
import { loginFailuresKey, loginUsersKey } from '../store/keys.ts';

/**
 * Failed logins per source address, for POST /v1/auth/session: after LOGIN_FAILURES_BEFORE_CAPTCHA
 * failures within LOGIN_FAILURE_WINDOW_SECONDS (a sliding window) the next login needs a captcha token.
 *
 * A failed login carries no user (the code did not resolve to one), so failures can only be counted
 * per source. One address may be a whole NAT (an office, a carrier-grade NAT), so the threshold scales
 * with the number of distinct users who signed in successfully from that source within the last
 * LOGIN_USERS_WINDOW_SECONDS: 5 + 2 per such user, at most 50. A lone attacker stays at 5; a busy NAT
 * tolerates a few users' mistyped or expired codes. The trade-off: an attacker sharing a NAT with many
 * users gets up to 50 tries per window before a captcha, and raising the threshold requires real
 * WeChat accounts that sign in (each one adds 2), and only sign-ins made while the source was under
 * its threshold count (shared/auth/login.ts), so a source already asked for captchas cannot raise it.
 * Either way the consequence is a captcha, not a lockout.
 */

export const LOGIN_FAILURES_BEFORE_CAPTCHA = 5;
export const LOGIN_FAILURES_PER_KNOWN_USER = 2;
export const LOGIN_FAILURES_MAX_THRESHOLD = 50;
export const LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60;
export const LOGIN_USERS_WINDOW_SECONDS = 60 * 60;
/** Distinct users kept per source; enough to reach the cap. */
const MAX_USERS_KEPT = 64;
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

const key = (ip: string) => loginFailuresKey(sourceOf(ip));
const usersKey = (ip: string) => loginUsersKey(sourceOf(ip));

/** The failures a source may have before a captcha, given its distinct recent users. */
export const failureThreshold = (knownUsers: number): number =>
  Math.min(
    LOGIN_FAILURES_MAX_THRESHOLD,
    LOGIN_FAILURES_BEFORE_CAPTCHA + LOGIN_FAILURES_PER_KNOWN_USER * knownUsers,
  );

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
  return Number(await cacheStore.runScript(RECORD_SCRIPT, [key(ip)], [now, windowMs, member]));
}

/** Adds ARGV[3] (a user id) at ARGV[1] (ms), drops those older than ARGV[2] (ms), keeps the newest. */
const USERS_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -${MAX_USERS_KEPT + 1})
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('ZCARD', KEYS[1])
`;

/** Records a successful login of `userId` from `ip` (raises the source's threshold, see above). */
export async function recordSuccessfulLogin(ip: string, userId: string, now = Date.now()): Promise<number> {
  const windowMs = LOGIN_USERS_WINDOW_SECONDS * 1000;
  return Number(await cacheStore.runScript(USERS_SCRIPT, [usersKey(ip)], [now, windowMs, userId]));
}

/** Distinct users who signed in from the source of `ip` within LOGIN_USERS_WINDOW_SECONDS. */
export async function recentUsers(ip: string, now = Date.now()): Promise<number> {
  const since = now - LOGIN_USERS_WINDOW_SECONDS * 1000;
  const [users = 0] = await cacheStore.countAbove([usersKey(ip), since]);
  return users;
}

/** Whether a login from `ip` must present a captcha token. */
export async function captchaRequired(ip: string, now = Date.now()): Promise<boolean> {
  const since = now - LOGIN_FAILURE_WINDOW_SECONDS * 1000;
  const usersSince = now - LOGIN_USERS_WINDOW_SECONDS * 1000;
  const [failures = 0, users = 0] = await cacheStore.countAbove([key(ip), since], [usersKey(ip), usersSince]);
  return failures >= failureThreshold(users);
}
