import { AppError } from '../errors.ts';

/**
 * The fixed one-minute windows our Redis limiters count in, and the 429 they answer with: the
 * X-RateLimit-* headers and Retry-After until the window ends.
 */

export interface MinuteWindow {
  /** Minutes since the epoch: part of the counter's key. */
  index: number;
  /** When the window ends, in epoch seconds (X-RateLimit-Reset). */
  resetAt: number;
  /** Seconds until then, at least 1 (Retry-After). */
  retryAfter: number;
}

export function minuteWindow(nowMs = Date.now()): MinuteWindow {
  const index = Math.floor(nowMs / 60_000);
  const resetAt = (index + 1) * 60;
  return { index, resetAt, retryAfter: Math.max(1, resetAt - Math.floor(nowMs / 1000)) };
}

/** Counter keys live a second longer than their window, so a late request never finds a fresh count. */
export const WINDOW_KEY_TTL_SECONDS = 61;

export const rateLimitHeaders = (limit: number, count: number, window: MinuteWindow) => ({
  'X-RateLimit-Limit': String(limit),
  'X-RateLimit-Remaining': String(Math.max(0, limit - count)),
  'X-RateLimit-Reset': String(window.resetAt),
});

/** 429 RATE_LIMITED for a request over a per-minute limit, with the headers clients back off by. */
export const rateLimited = (
  message: string,
  headers: Record<string, string>,
  window: MinuteWindow,
  details?: Record<string, unknown>,
) =>
  new AppError('RATE_LIMITED', message, details, {
    ...headers,
    'Retry-After': String(window.retryAfter),
  });
