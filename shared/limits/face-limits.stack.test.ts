import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

// Runs against the local stack's Redis (npm test exports its environment); small limits for speed.
process.env.FACE_RATE_LIMIT_PER_MINUTE = '3';
process.env.DAILY_QUOTA_PER_USER = '5';
const { consumeFaceRequest } = await import('./face-limits.ts');

/** A fixed instant in the first second of a minute, so a test never straddles two windows. */
const minuteStart = Math.floor(Date.now() / 60_000) * 60_000 + 1000;

test('the per-minute limit refuses the request after the limit, with Retry-After', async () => {
  const user = `limit-${randomUUID()}`;
  const remaining: string[] = [];
  for (let i = 0; i < 3; i++)
    remaining.push((await consumeFaceRequest(user, minuteStart)).headers['X-RateLimit-Remaining']!);
  assert.deepEqual(remaining, ['2', '1', '0']);
  await assert.rejects(consumeFaceRequest(user, minuteStart), (e: any) => {
    assert.equal(e.status, 429);
    assert.equal(e.code, 'RATE_LIMITED');
    assert.equal(e.headers['Retry-After'], '59');
    assert.equal(e.headers['X-RateLimit-Reset'], String(minuteStart / 1000 + 59));
    return true;
  });
});

test('the daily quota holds across minutes and refused requests do not use it', async () => {
  const user = `quota-${randomUUID()}`;
  for (let i = 0; i < 3; i++) await consumeFaceRequest(user, minuteStart);
  await assert.rejects(consumeFaceRequest(user, minuteStart), { code: 'RATE_LIMITED' });
  const nextMinute = minuteStart + 60_000;
  await consumeFaceRequest(user, nextMinute);
  await consumeFaceRequest(user, nextMinute); // 5th counted request: quota reached
  await assert.rejects(
    consumeFaceRequest(user, nextMinute),
    (e: any) => e.code === 'QUOTA_EXCEEDED' && e.status === 429,
  );
});

test('concurrent requests never overshoot the limit', async () => {
  const user = `burst-${randomUUID()}`;
  const results = await Promise.allSettled(
    Array.from({ length: 10 }, () => consumeFaceRequest(user, minuteStart)),
  );
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
});
