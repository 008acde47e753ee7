/**
 * The proof-of-work difficulty schedule: a per-subject friction score that grows with failures and
 * volume and halves every POW_HALF_LIFE_SECONDS, and the challenge size each score earns. Pure
 * functions; shared/pow/friction.ts keeps the scores in Redis (its Lua script repeats `decayed`).
 *
 * A level-n challenge hides a random number below `maxnumberFor(n)`: the client tries on average half
 * of them (one SHA-256 each), so every level costs four times the one before. Level 0 asks nothing.
 */

/** A score halves in this time without new events: a burst of failures is forgiven within the hour. */
export const POW_HALF_LIFE_SECONDS = 10 * 60;
/**
 * The score at which level 1 starts, each further level needing double: one failure past the captcha
 * requirement (LOGIN_FAILURES_BEFORE_CAPTCHA = 5), so the captcha comes first and proof of work second.
 */
export const POW_FIRST_LEVEL_SCORE = 6;
/**
 * Level 4 hides the number below 1.6 M: about 13 s on this machine and a minute on a mid-range phone
 * on average (bench:pow), close to the challenge's 120 s lifetime at worst. Harder would strand phones.
 */
export const POW_MAX_LEVEL = 4;
const LEVEL_1_MAXNUMBER = 25_000;

/** What an event adds to a subject's score. */
export const POW_WEIGHTS = {
  /** A failed login or a wrong captcha answer from an address. */
  failure: 1,
  /** A captcha issued to an address: 24 in a quarter of an hour reach level 1. */
  captchaIssued: 0.25,
  /** A sign-in of one user: 30 within a few minutes reach level 1 (a script, not a person). */
  login: 0.2,
} as const;

/** A score `score` measured `elapsedMs` ago, as it stands now. */
export const decayed = (score: number, elapsedMs: number): number =>
  score * 2 ** (-Math.max(0, elapsedMs) / (POW_HALF_LIFE_SECONDS * 1000));

/**
 * The level a score earns: 0 below `firstLevelScore`, then one more per doubling, at most POW_MAX_LEVEL.
 * An address shared by many users (a NAT) starts later: friction.ts passes its captcha threshold + 1.
 */
export function levelFor(score: number, firstLevelScore = POW_FIRST_LEVEL_SCORE): number {
  if (!(score >= firstLevelScore)) return 0;
  return Math.min(POW_MAX_LEVEL, 1 + Math.floor(Math.log2(score / firstLevelScore)));
}

/** The challenge's search space at `level` (1..POW_MAX_LEVEL): 25 000 × 4^(level − 1). */
export const maxnumberFor = (level: number): number =>
  LEVEL_1_MAXNUMBER * 4 ** (Math.min(Math.max(level, 1), POW_MAX_LEVEL) - 1);
