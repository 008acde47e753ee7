import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minuteWindow } from '../../shared/limits/window.ts';
import { randomLoopback, requestFrom } from '../support/from-address.ts';
import { localRedis, urls, withServiceStopped } from '../support/stack.ts';

// Serial: one stops Redis, the other uses up the service-wide captcha budget for a moment.

test('with Redis down, captchas and sign-ins fail closed: 503, never issued unchecked', async () => {
  const from = randomLoopback();
  await withServiceStopped('redis-rest', async () => {
    const captcha = await requestFrom(from, 'GET', `${urls.api}/captcha`);
    assert.equal(captcha.status, 503);
    assert.equal(captcha.body.error.code, 'DEPENDENCY_UNAVAILABLE');
    assert.ok(captcha.headers['retry-after']);
    const login = await requestFrom(from, 'POST', `${urls.api}/auth/session`, {
      body: { code: 'test:pow-redis-down' },
    });
    assert.equal(login.status, 503);
    assert.equal(login.body.error.code, 'DEPENDENCY_UNAVAILABLE');
  });
  assert.equal((await requestFrom(from, 'GET', `${urls.api}/captcha`)).status, 200, 'back once Redis is');
});

test('the service-wide ceiling (CAPTCHA_GLOBAL_PER_MINUTE, 3000) refuses every address once reached', async () => {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
  const key = `rl:captcha:global:${minuteWindow().index}`;
  const redis = localRedis();
  const used = Number((await redis.get<string>(key)) ?? 0);
  await redis.incrby(key, 3000 - used);
  try {
    const res = await requestFrom(randomLoopback(), 'GET', `${urls.api}/captcha`);
    assert.equal(res.status, 429);
    assert.equal(res.body.error.code, 'RATE_LIMITED');
    assert.equal(res.body.error.details.scope, 'global');
    assert.ok(Number(res.headers['retry-after']) >= 1);
  } finally {
    await redis.del(key);
  }
});
