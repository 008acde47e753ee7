import type { z } from 'zod';
import { randomBytes, randomInt } from 'node:crypto';
import { AppError, notFound } from '../errors.ts';
import type { LivenessLevel } from '../face/liveness.ts';
import { cacheStore } from '../store/cache.ts';
import { livenessPassedKey, livenessPatterns, livenessSessionKey, livenessUsedKey } from '../store/keys.ts';
import { ACTIONS, type Action } from './actions.ts';
// Type only: schemas.ts imports verify.ts, which imports this module.
import type { sessionCreatedSchema } from './schemas.ts';

/**
 * Challenge sessions in Redis, in the owner's key space (another user's id is simply not found); key
 * names in store/keys.ts.
 *
 * - `liveness:session:<user>:<id>`: the challenge (actions, level, times). Kept an hour so that a late
 *   verify is told 410 SESSION_EXPIRED rather than 404.
 * - `liveness:used:<user>:<id>`: claimed with SET NX by the first verify; any other gets 409.
 * - `liveness:passed:<user>:<id>`: after a pass, the reference face's descriptor for binding, for
 *   BINDING_SECONDS only (the only biometric data a session keeps; frames are never stored).
 */
export const SESSION_SECONDS = 120;
export const BINDING_SECONDS = 120;
export const MAX_FRAMES = 30;
const RECORD_SECONDS = 3600;

/** How many actions each level asks for. */
const ACTION_COUNT: Record<LivenessLevel, number> = { LOW: 2, NORMAL: 2, HIGH: 3 };

export const SESSION_ID_PATTERN = /^lv_[A-Za-z0-9_-]{22}$/;

export interface LivenessSession {
  sessionId: string;
  level: LivenessLevel;
  actions: Action[];
  createdAt: number;
  expiresAt: number;
}

export interface PassedSession {
  passedAt: number;
  /** Descriptor of the reference face (base64 float32) and the model that made it. */
  descriptor: string;
  model: string;
}

/** Distinct random actions in random order (Fisher-Yates over a CSPRNG). */
export function pickActions(count: number): Action[] {
  const pool = [...ACTIONS];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

export async function createSession(userId: string, level: LivenessLevel, now = Date.now()) {
  const session: LivenessSession = {
    sessionId: `lv_${randomBytes(16).toString('base64url')}`,
    level,
    actions: pickActions(ACTION_COUNT[level]),
    createdAt: now,
    expiresAt: now + SESSION_SECONDS * 1000,
  };
  await cacheStore.set(
    livenessSessionKey(userId, session.sessionId),
    JSON.stringify(session),
    RECORD_SECONDS,
  );
  return session;
}

/** The body of POST /v1/liveness/sessions: the challenge, without what only the server needs. */
export const presentSession = (session: LivenessSession): z.infer<typeof sessionCreatedSchema> => ({
  sessionId: session.sessionId,
  level: session.level,
  challenge: { actions: session.actions },
  expiresAt: new Date(session.expiresAt).toISOString(),
  maxFrames: MAX_FRAMES,
});

/** The caller's session, or 404 (unknown, malformed, another user's, or long gone). */
export async function loadSession(userId: string, sessionId: string): Promise<LivenessSession> {
  if (!SESSION_ID_PATTERN.test(sessionId)) throw notFound('liveness session');
  const raw = await cacheStore.get(livenessSessionKey(userId, sessionId));
  if (!raw) throw notFound('liveness session');
  return JSON.parse(raw) as LivenessSession;
}

/**
 * Claims the session for its one verification: 409 when it was used, 410 when it expired (an expired
 * session is claimed too, so it stays dead).
 */
export async function claimSession(userId: string, session: LivenessSession, now = Date.now()) {
  if (!(await cacheStore.claim(livenessUsedKey(userId, session.sessionId), RECORD_SECONDS))) {
    throw new AppError('SESSION_USED', 'This liveness session was already verified; start a new one.');
  }
  if (now > session.expiresAt) {
    throw new AppError('SESSION_EXPIRED', 'This liveness session expired; start a new one.', {
      expiresAt: new Date(session.expiresAt).toISOString(),
    });
  }
}

export async function recordPass(userId: string, sessionId: string, passed: PassedSession) {
  await cacheStore.set(livenessPassedKey(userId, sessionId), JSON.stringify(passed), BINDING_SECONDS);
}

/** A pass of the caller's within the last BINDING_SECONDS, or undefined. */
export async function findPass(userId: string, sessionId: string): Promise<PassedSession | undefined> {
  if (!SESSION_ID_PATTERN.test(sessionId)) return undefined;
  const raw = await cacheStore.get(livenessPassedKey(userId, sessionId));
  if (!raw) return undefined;
  const passed = JSON.parse(raw) as PassedSession;
  return Date.now() - passed.passedAt <= BINDING_SECONDS * 1000 ? passed : undefined;
}

/** Every session, claim and pass of a user, and the passive check's replay marks (DELETE /v1/me/data). */
export async function eraseLivenessRecords(userId: string): Promise<void> {
  for (const pattern of livenessPatterns(userId)) await cacheStore.deleteMatching(pattern);
}
