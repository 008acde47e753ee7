import { createChallenge, extractParams, verifySolution } from 'altcha-lib/v1';
import type { Challenge, Payload } from 'altcha-lib/v1/types';
import { hmacHex } from '../auth/crypto.ts';
import { failureThreshold, recentUsers, sourceOf } from '../captcha/login-failures.ts';
import { POW_HEADER } from '../client/pow-solver.ts';
import { config } from '../config.ts';
import { AppError, isAppError } from '../errors.ts';
import { cacheStore } from '../store/cache.ts';
import { powScoreKey, powUsedKey } from '../store/keys.ts';
import {
  POW_FIRST_LEVEL_SCORE,
  POW_HALF_LIFE_SECONDS,
  POW_WEIGHTS,
  decayed,
  levelFor,
  maxnumberFor,
} from './schedule.ts';

/**
 * Proof-of-work friction (ALTCHA's SHA-256 protocol, altcha-lib/v1) for the public endpoints a bot
 * hammers: GET /v1/captcha and POST /v1/auth/session. Each subject (a source address, a user) has a
 * friction score in Redis that failures and volume raise and time decays (schedule.ts). While the
 * caller's level is 0 nothing changes; above it the endpoint answers 428 POW_REQUIRED with a signed
 * challenge, and the client retries with the solution in X-Pow-Solution. A solution is refused when
 * wrong or forged (403 POW_INVALID), past its expiry (410 POW_EXPIRED) or already used (409
 * POW_REPLAYED: single-use through SET NX). All state is in Redis; Redis down means 503 (fail closed).
 */

export const POW_CHALLENGE_TTL_SECONDS = 120;

/** The endpoint a challenge was issued for; a solution only opens the endpoint it was issued for. */
export type PowScope = 'captcha' | 'login';

/**
 * A friction subject: a source address (an IPv6 client by its /64) or a user. An address's level 1
 * starts one failure after its captcha threshold, which grows with the users behind it (a NAT, see
 * login-failures.ts), so proof of work never comes before the captcha.
 */
export interface Subject {
  key: string;
  firstLevelScore: number;
}

export async function addressSubject(ip: string, now = Date.now()): Promise<Subject> {
  return { key: `addr:${sourceOf(ip)}`, firstLevelScore: failureThreshold(await recentUsers(ip, now)) + 1 };
}

export const userSubject = (userId: string): Subject => ({
  key: `user:${userId}`,
  firstLevelScore: POW_FIRST_LEVEL_SCORE,
});

/** DELETE /v1/me/data: the user's friction score goes with the account (an address's score is no one's). */
export async function eraseFriction(userId: string): Promise<void> {
  await cacheStore.take(powScoreKey(userSubject(userId).key));
}

/** The challenge key, derived from AUTH_SECRET so that no other signature can be replayed as a challenge. */
const hmacKey = () => hmacHex(config().AUTH_SECRET, 'facegate pow-challenge v1');
/** A score idle for six half-lives is below 1/64 of itself: forget it. */
const SCORE_TTL_MS = 6 * POW_HALF_LIFE_SECONDS * 1000;

/** Decays each KEYS[i]'s `score:atMs` to ARGV[1] (ms) and adds ARGV[2]; the same curve as schedule.ts. */
const RECORD_SCRIPT = `
local now, weight, halfLife = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for _, key in ipairs(KEYS) do
  local score = 0
  local state = redis.call('GET', key)
  if state then
    local s, at = string.match(state, '^([%d.e+-]+):(%d+)$')
    if s then score = tonumber(s) * 2 ^ (-math.max(0, now - tonumber(at)) / halfLife) end
  end
  redis.call('SET', key, string.format('%.6f', score + weight) .. ':' .. now, 'PX', ARGV[4])
end
return 1
`;

/** Adds `weight` to each subject's score (atomically per call: concurrent events all count). */
export async function recordFriction(subjects: Subject[], weight: number, now = Date.now()): Promise<void> {
  await cacheStore.runScript(
    RECORD_SCRIPT,
    subjects.map((s) => powScoreKey(s.key)),
    [now, weight, POW_HALF_LIFE_SECONDS * 1000, SCORE_TTL_MS].map(String),
  );
}

/** The level the most suspicious of `subjects` has reached now. */
export async function frictionLevel(subjects: Subject[], now = Date.now()): Promise<number> {
  const states = await cacheStore.getMany(subjects.map((s) => powScoreKey(s.key)));
  return Math.max(
    0,
    ...subjects.map((subject, i) => {
      const [score, at] = (states[i] ?? '').split(':').map(Number);
      if (!Number.isFinite(score) || !Number.isFinite(at)) return 0;
      return levelFor(decayed(score!, now - at!), subject.firstLevelScore);
    }),
  );
}

export async function issuePowChallenge(
  scope: PowScope,
  level: number,
  now = Date.now(),
): Promise<Challenge> {
  return createChallenge({
    hmacKey: hmacKey(),
    maxnumber: maxnumberFor(level),
    expires: new Date(now + POW_CHALLENGE_TTL_SECONDS * 1000),
    params: { scope, level: String(level) },
  });
}

const powRequired = async (scope: PowScope, level: number, message: string) =>
  new AppError('POW_REQUIRED', message, {
    challenge: await issuePowChallenge(scope, level),
    level,
    header: POW_HEADER,
  });

const powInvalid = (message: string) => new AppError('POW_INVALID', message);

/** The header's value: base64 of ALTCHA's JSON payload; anything else is not a solution. */
function parsePayload(header: string): Payload | undefined {
  try {
    if (header.length > 2048) return undefined;
    const p = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as Partial<Payload>;
    const ok =
      p.algorithm === 'SHA-256' &&
      typeof p.challenge === 'string' &&
      /^[0-9a-f]{64}$/.test(p.challenge) &&
      typeof p.signature === 'string' &&
      typeof p.salt === 'string' &&
      p.salt.length <= 200 &&
      Number.isSafeInteger(p.number) &&
      p.number! >= 0;
    return ok ? (p as Payload) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a solution and consumes it; returns the level it was issued at. Order matters: a forged or
 * wrong solution is invalid whatever its stated expiry, and only a genuine, unexpired one is burnt.
 */
async function spendSolution(header: string, scope: PowScope, now: number): Promise<number> {
  const payload = parsePayload(header);
  if (!payload || !(await verifySolution(payload, hmacKey(), false)))
    throw powInvalid(`The ${POW_HEADER} header is not a solution of a challenge we issued.`);
  const params = extractParams(payload);
  if (params.scope !== scope) throw powInvalid('This proof of work was issued for another endpoint.');
  const expiresMs = Number(params.expires) * 1000;
  if (!(expiresMs > now))
    throw new AppError('POW_EXPIRED', 'This proof-of-work challenge has expired; request a new one.');
  // Kept until a second after the challenge expires: a replay after that is POW_EXPIRED anyway.
  const fresh = await cacheStore.claim(
    powUsedKey(payload.challenge),
    Math.ceil((expiresMs - now) / 1000) + 1,
  );
  if (!fresh)
    throw new AppError('POW_REPLAYED', 'This proof of work was already used; solve a new challenge.');
  return Number(params.level);
}

export interface PowGate {
  scope: PowScope;
  subjects: Subject[];
  /** The X-Pow-Solution header, if the client sent one. */
  solution?: string;
  /** The level this request already proved at an earlier gate (its solution is then spent). */
  proven?: number;
  now?: number;
}

/**
 * Lets the request through when its subjects' level is 0 (the header is then ignored) or when it
 * carries a fresh solution of a challenge at least as hard as that level; otherwise throws 428 with a
 * new challenge, or the refusal of the solution it carries. A refused solution counts as a failure.
 * Returns the level the request has proved, for a later gate of the same request (`proven`).
 */
export async function requireProofOfWork(gate: PowGate): Promise<number> {
  const { scope, subjects, solution, proven = 0, now = Date.now() } = gate;
  const level = await frictionLevel(subjects, now);
  if (level <= proven) return proven;
  if (!solution || proven > 0)
    throw await powRequired(scope, level, 'Too many requests or failures: solve this proof of work first.');
  let solvedLevel: number;
  try {
    solvedLevel = await spendSolution(solution, scope, now);
  } catch (e) {
    if (isAppError(e) && e.status < 500) await recordFriction(subjects, POW_WEIGHTS.failure, now);
    throw e;
  }
  if (solvedLevel < level)
    throw await powRequired(scope, level, 'Failures continued: this harder proof of work is needed now.');
  return solvedLevel;
}
