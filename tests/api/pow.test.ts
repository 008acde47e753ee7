import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FacegateClient } from '../../shared/client/client.ts';
import { solvePow, solvePowNumber, powSolutionHeader } from '../../shared/client/pow-solver.ts';
import { addressSubject, issuePowChallenge, recordFriction, userSubject } from '../../shared/pow/friction.ts';
import { POW_HALF_LIFE_SECONDS } from '../../shared/pow/schedule.ts';
import { randomLoopback, requestFrom } from '../support/from-address.ts';
import { urls } from '../support/stack.ts';

/**
 * Proof-of-work friction and captcha issuance limits over HTTP. Each test speaks from its own loopback
 * address, so its friction and limits are its own. Friction beyond what a test builds over HTTP is
 * arranged in the stack's Redis (recordFriction), as captcha tests open challenges with a known text.
 */

const origin = new URL(urls.api).origin;
const getCaptcha = (from: string, solution?: string) =>
  requestFrom(
    from,
    'GET',
    `${urls.api}/captcha`,
    solution ? { headers: { 'X-Pow-Solution': solution } } : {},
  );
const login = (from: string, code: string, solution?: string) =>
  requestFrom(from, 'POST', `${urls.api}/auth/session`, {
    body: { code },
    ...(solution ? { headers: { 'X-Pow-Solution': solution } } : {}),
  });
const errorCode = (res: { body: any }) => res.body?.error?.code;

describe('proof of work', () => {
  it('asks nothing of a well-behaved caller: its first captcha and sign-in go straight through', async () => {
    const from = randomLoopback();
    const captcha = await getCaptcha(from);
    assert.equal(captcha.status, 200);
    assert.ok(captcha.body.captchaId);
    assert.equal(captcha.headers['x-ratelimit-limit'], '20');
    const session = await login(from, `test:pow-normal-${process.pid}`);
    assert.equal(session.status, 200);
    assert.ok(session.body.token);
  });

  it('is required after failed logins and a wrong captcha answer, for both endpoints, and a solution opens one request', async () => {
    const from = randomLoopback();
    for (let i = 0; i < 5; i++) assert.equal((await login(from, `bogus-${i}`)).status, 401);
    assert.equal(
      errorCode(await login(from, 'test:pow-user')),
      'CAPTCHA_REQUIRED',
      'the captcha comes first',
    );
    const { body: captcha } = await getCaptcha(from);
    const wrong = await requestFrom(from, 'POST', `${urls.api}/captcha/verify`, {
      body: { captchaId: captcha.captchaId, answer: 'nope' },
    });
    assert.equal(errorCode(wrong), 'CAPTCHA_INCORRECT');

    const required = await getCaptcha(from);
    assert.equal(required.status, 428);
    assert.equal(errorCode(required), 'POW_REQUIRED');
    const { challenge, level, header } = required.body.error.details;
    assert.deepEqual(
      [level, header, challenge.algorithm, challenge.maxnumber],
      [1, 'X-Pow-Solution', 'SHA-256', 25_000],
    );
    assert.equal(errorCode(await login(from, 'test:pow-user')), 'POW_REQUIRED', 'sign-in asks too');

    const solution = await solvePow(challenge);
    const ok = await getCaptcha(from, solution);
    assert.equal(ok.status, 200);
    assert.ok(ok.body.captchaId);

    const replayed = await getCaptcha(from, solution);
    assert.equal(replayed.status, 409);
    assert.equal(errorCode(replayed), 'POW_REPLAYED');

    // A captcha challenge does not open the sign-in; a sign-in one passes the proof of work and meets the captcha.
    const forCaptcha = await solvePow((await getCaptcha(from)).body.error.details.challenge);
    const elsewhere = await login(from, 'test:pow-user', forCaptcha);
    assert.equal(elsewhere.status, 403);
    assert.equal(errorCode(elsewhere), 'POW_INVALID');
    const forLogin = await solvePow((await login(from, 'test:pow-user')).body.error.details.challenge);
    assert.equal(errorCode(await login(from, 'test:pow-user', forLogin)), 'CAPTCHA_REQUIRED');
  });

  it('refuses a wrong, a forged and an expired solution with their own codes', async () => {
    const from = randomLoopback();
    // A score just over level 1's 6 (scores decay from the moment they are written).
    await recordFriction([await addressSubject(from)], 7);
    const { challenge } = (await getCaptcha(from)).body.error.details;
    const number = await solvePowNumber(challenge);

    const wrong = await getCaptcha(from, powSolutionHeader(challenge, number + 1));
    assert.deepEqual([wrong.status, errorCode(wrong)], [403, 'POW_INVALID']);
    const forged = await getCaptcha(
      from,
      powSolutionHeader({ ...challenge, signature: '0'.repeat(64) }, number),
    );
    assert.deepEqual([forged.status, errorCode(forged)], [403, 'POW_INVALID']);
    const garbage = await getCaptcha(from, 'not base64 json');
    assert.deepEqual([garbage.status, errorCode(garbage)], [403, 'POW_INVALID']);

    const stale = await issuePowChallenge('captcha', 1, Date.now() - 121_000);
    const expired = await getCaptcha(from, await solvePow(stale));
    assert.deepEqual([expired.status, errorCode(expired)], [410, 'POW_EXPIRED']);

    // The wrong one did not burn the challenge: its right solution still works once.
    assert.equal((await getCaptcha(from, powSolutionHeader(challenge, number))).status, 200);
  });

  it('grows harder with failures and drops back as they age', async () => {
    const from = randomLoopback();
    const address = await addressSubject(from);
    const halfLifeMs = POW_HALF_LIFE_SECONDS * 1000;
    await recordFriction([address], 25, Date.now() - 2 * halfLifeMs);
    const aged = await getCaptcha(from);
    assert.equal(aged.body.error.details.level, 1, '25 two half-lives ago weigh 6.25 now');

    await recordFriction([address], 20);
    const harder = await getCaptcha(from);
    assert.equal(harder.body.error.details.level, 3);
    assert.equal(harder.body.error.details.challenge.maxnumber, 400_000);
    // An easier solution no longer opens it: a new, harder challenge instead.
    const easy = await issuePowChallenge('captcha', 1);
    const refused = await getCaptcha(from, await solvePow(easy));
    assert.equal(refused.status, 428);
    assert.equal(refused.body.error.details.level, 3);

    const quiet = randomLoopback();
    await recordFriction([await addressSubject(quiet)], 24, Date.now() - 3 * halfLifeMs);
    assert.equal(
      (await getCaptcha(quiet)).status,
      200,
      'three half-lives later 24 failures weigh 3: no friction',
    );
  });

  it('follows a user who signs in too often, from any address; the typed client solves and retries', async () => {
    const code = `test:pow-busy-${process.pid}`;
    const first = await FacegateClient.login(origin, code);
    await recordFriction([userSubject(first.session!.userId)], 7);

    const anon = new FacegateClient(origin);
    const refused = await anon.post('/v1/auth/session', { code }, { solvePow: false });
    assert.equal(refused.status, 428);
    assert.equal(refused.body.error.code, 'POW_REQUIRED');
    const again = await FacegateClient.login(origin, code);
    assert.equal(again.session!.userId, first.session!.userId, 'solved and retried with the solution');
  });
});

describe('captcha issuance limits', () => {
  it('give exactly 20 captchas per minute to one address, however concurrent; the rest get 429 with Retry-After', async () => {
    // The window is a fixed minute: start early in one. A busy machine may still spread cold
    // invocations over two, so the count is checked per window (X-RateLimit-Reset names it).
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 30_000) await new Promise((r) => setTimeout(r, 60_200 - intoMinute));
    const from = randomLoopback();
    const results = await Promise.all(Array.from({ length: 25 }, () => getCaptcha(from)));
    const windows = new Map<string, number[]>();
    for (const res of results) {
      const reset = String(res.headers['x-ratelimit-reset']);
      windows.set(reset, [...(windows.get(reset) ?? []), res.status]);
    }
    for (const statuses of windows.values()) {
      const granted = statuses.filter((s) => s === 200).length;
      assert.equal(granted, Math.min(20, statuses.length), String(statuses));
      assert.equal(statuses.length - granted, statuses.filter((s) => s === 429).length, String(statuses));
    }
    const limited = results.filter((r) => r.status === 429);
    if (windows.size === 1) assert.equal(limited.length, 5);
    for (const res of limited) {
      assert.equal(errorCode(res), 'RATE_LIMITED');
      assert.equal(res.body.error.details.scope, 'address');
      assert.ok(Number(res.headers['retry-after']) >= 1 && Number(res.headers['retry-after']) <= 60);
      assert.equal(res.headers['x-ratelimit-remaining'], '0');
    }
    assert.equal((await getCaptcha(randomLoopback())).status, 200, 'other addresses are not affected');
  });
});
