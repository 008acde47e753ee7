import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  LOGIN_FAILURES_BEFORE_CAPTCHA,
  LOGIN_FAILURES_MAX_THRESHOLD,
  LOGIN_FAILURE_WINDOW_SECONDS,
  LOGIN_USERS_WINDOW_SECONDS,
  captchaRequired,
  failureThreshold,
  recordFailedLogin,
  recordSuccessfulLogin,
  sourceOf,
} from './login-failures.ts';

// Runs against the local stack's Redis (npm test exports its environment).

/** A documentation-range address (198.51.100.0/24) unique to this run, so runs never share counters. */
const freshIp = () => `198.51.${100 + (randomBytes(1)[0]! % 100)}.${randomBytes(1)[0]}`;
const freshIpv6 = () => `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`;

describe('failed logins per source', () => {
  it('require a captcha from the fifth failure within the window on', async () => {
    const ip = freshIpv6();
    const now = Date.now();
    for (let i = 1; i < LOGIN_FAILURES_BEFORE_CAPTCHA; i++) {
      assert.equal(await recordFailedLogin(ip, now + i), i);
      assert.equal(await captchaRequired(ip, now + i), false);
    }
    assert.equal(await recordFailedLogin(ip, now + 10), LOGIN_FAILURES_BEFORE_CAPTCHA);
    assert.equal(await captchaRequired(ip, now + 10), true);
  });

  it('forget failures older than the window (sliding, not fixed)', async () => {
    const ip = freshIpv6();
    const windowMs = LOGIN_FAILURE_WINDOW_SECONDS * 1000;
    const start = Date.now();
    for (let i = 0; i < 4; i++) await recordFailedLogin(ip, start + i);
    // 14 minutes later: the first four still count, one more makes five.
    assert.equal(await recordFailedLogin(ip, start + 14 * 60_000), 5);
    assert.equal(await captchaRequired(ip, start + 14 * 60_000), true);
    // Just past the window of the first four: only the last one is left.
    assert.equal(await captchaRequired(ip, start + windowMs + 10), false);
    assert.equal(await recordFailedLogin(ip, start + windowMs + 10), 2);
  });

  it('count an IPv6 /64 as one source, and an IPv4-mapped address as its IPv4', async () => {
    assert.equal(sourceOf('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(sourceOf('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(sourceOf('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(sourceOf('::ffff:203.0.113.9'), '203.0.113.9');
    assert.equal(sourceOf('203.0.113.9'), '203.0.113.9');

    const prefix = `2001:db8:${randomBytes(2).toString('hex')}:7`;
    const now = Date.now();
    for (let i = 0; i < LOGIN_FAILURES_BEFORE_CAPTCHA; i++)
      await recordFailedLogin(`${prefix}::${i + 1}`, now);
    assert.equal(await captchaRequired(`${prefix}:1:2:3:4`, now), true);
  });

  it('keep sources apart', async () => {
    const [a, b] = [freshIp(), freshIpv6()];
    const now = Date.now();
    for (let i = 0; i < LOGIN_FAILURES_BEFORE_CAPTCHA; i++) await recordFailedLogin(a, now);
    assert.equal(await captchaRequired(b, now), false);
  });

  it('count concurrent failures exactly', async () => {
    const ip = freshIpv6();
    const counts = await Promise.all(Array.from({ length: 7 }, () => recordFailedLogin(ip)));
    assert.deepEqual(
      [...counts].sort((x, y) => x - y),
      [1, 2, 3, 4, 5, 6, 7],
    );
  });

  it('scale the threshold with the distinct users who signed in from the source (a NAT), capped', async () => {
    assert.deepEqual([0, 1, 3, 100].map(failureThreshold), [5, 7, 11, LOGIN_FAILURES_MAX_THRESHOLD]);
    const nat = freshIp();
    const now = Date.now();
    for (const user of ['u1', 'u2', 'u3', 'u2']) await recordSuccessfulLogin(nat, user, now); // u2 twice: 3 users
    for (let i = 0; i < 10; i++) await recordFailedLogin(nat, now + i);
    assert.equal(await captchaRequired(nat, now + 10), false, '10 failures < 5 + 2 * 3');
    await recordFailedLogin(nat, now + 11);
    assert.equal(await captchaRequired(nat, now + 11), true, '11 failures reach 5 + 2 * 3');
    // Once those users' sign-ins are older than their window, the plain threshold applies again.
    assert.equal(
      await captchaRequired(nat, now + LOGIN_USERS_WINDOW_SECONDS * 1000 + 1),
      false,
      'failures expired too',
    );
    const alone = freshIpv6();
    for (let i = 0; i < LOGIN_FAILURES_BEFORE_CAPTCHA; i++) await recordFailedLogin(alone, now + i);
    assert.equal(await captchaRequired(alone, now + 5), true, 'a source without sign-ins keeps 5');
  });
});
