import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FacegateClient, signatureHeaders } from '../../shared/client/client.ts';
import { urls } from '../support/stack.ts';

const origin = new URL(urls.api).origin;
const login = (name: string) => FacegateClient.login(origin, `test:${name}-${process.pid}`);

test('a wx.login code gives a session; WeChat session_key never leaves the server', async () => {
  const res = await new FacegateClient(origin).post('/v1/auth/session', { code: 'test:alice' });
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body).sort(), ['expiresAt', 'signingKey', 'token', 'userId']);
  assert.match(res.body.userId, /^u_[0-9a-f]{24}$/);
  assert.ok(Date.parse(res.body.expiresAt) > Date.now());
  assert.ok(res.headers.get('x-request-id'));
});

test("WeChat's documented login errors map to clear API errors", async () => {
  const anon = new FacegateClient(origin);
  const cases: [string, number, string][] = [
    ['nonsense', 401, 'INVALID_LOGIN_CODE'],
    ['rate-limit', 429, 'LOGIN_RATE_LIMITED'],
    ['risky', 403, 'LOGIN_BLOCKED'],
    ['busy', 503, 'WECHAT_BUSY'],
  ];
  for (const [code, status, errorCode] of cases) {
    const res = await anon.post('/v1/auth/session', { code });
    assert.equal(res.status, status, code);
    assert.equal(res.body.error.code, errorCode, code);
    assert.ok(res.body.error.requestId);
  }
});

test('a signed call succeeds and reports the quota', async () => {
  const client = await login('signed');
  const res = await client.get('/v1/me');
  assert.equal(res.status, 200);
  assert.equal(res.body.userId, client.session!.userId);
  assert.equal(typeof res.body.quota.dailyLimit, 'number');
  assert.equal(res.body.quota.usedToday, 0);
});

test('query parameters are covered by the signature', async () => {
  const client = await login('query');
  const ok = await client.get('/v1/me', { query: { b: 'x y', a: "it's" } });
  assert.equal(ok.status, 200);
  const headers = await signatureHeaders({
    method: 'GET',
    path: '/v1/me',
    query: [['a', '1']],
    body: new Uint8Array(),
    signingKey: client.session!.signingKey,
  });
  const res = await fetch(`${origin}/v1/me?a=2`, {
    headers: { ...headers, Authorization: `Bearer ${client.session!.token}` },
  });
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error.code, 'BAD_SIGNATURE');
});

test('a tampered body is refused with BAD_SIGNATURE', async () => {
  const client = await login('tamper');
  const signed = new TextEncoder().encode(JSON.stringify({ name: 'alice' }));
  const headers = await signatureHeaders({
    method: 'POST',
    path: '/v1/persons',
    query: [],
    body: signed,
    signingKey: client.session!.signingKey,
  });
  // The body is changed after signing.
  const res = await fetch(`${origin}/v1/persons`, {
    method: 'POST',
    headers: {
      ...headers,
      Authorization: `Bearer ${client.session!.token}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ name: 'mallory' }),
  });
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error.code, 'BAD_SIGNATURE');
});

test('each authentication failure has its own 401 code', async () => {
  const client = await login('failures');
  const now = Math.floor(Date.now() / 1000);
  const wrongKey = new FacegateClient(origin, { ...client.session!, signingKey: 'f'.repeat(64) });
  const noToken = new FacegateClient(origin, { ...client.session!, token: 'v1.bogus.token' });
  const cases: [string, Promise<{ status: number; body: any }>, string][] = [
    ['wrong key', wrongKey.get('/v1/me'), 'BAD_SIGNATURE'],
    ['stale timestamp', client.get('/v1/me', { timestamp: now - 360 }), 'TIMESTAMP_SKEW'],
    ['future timestamp', client.get('/v1/me', { timestamp: now + 360 }), 'TIMESTAMP_SKEW'],
    ['milliseconds', client.get('/v1/me', { timestamp: now * 1000 }), 'TIMESTAMP_SKEW'],
    ['forged token', noToken.get('/v1/me'), 'UNAUTHENTICATED'],
    ['missing Authorization', client.get('/v1/me', { headers: { Authorization: '' } }), 'UNAUTHENTICATED'],
    ['missing X-Nonce', client.get('/v1/me', { headers: { 'X-Nonce': '' } }), 'MISSING_SIGNATURE_HEADER'],
    ['short X-Nonce', client.get('/v1/me', { nonce: 'short' }), 'MISSING_SIGNATURE_HEADER'],
    [
      'missing X-Signature',
      client.get('/v1/me', { headers: { 'X-Signature': '' } }),
      'MISSING_SIGNATURE_HEADER',
    ],
    [
      'missing X-Timestamp',
      client.get('/v1/me', { headers: { 'X-Timestamp': '' } }),
      'MISSING_SIGNATURE_HEADER',
    ],
  ];
  for (const [name, pending, code] of cases) {
    const res = await pending;
    assert.equal(res.status, 401, name);
    assert.equal(res.body.error.code, code, name);
  }
});

test('the Bearer scheme name is case-insensitive', async () => {
  const client = await login('scheme');
  const res = await client.get('/v1/me', { headers: { Authorization: `bearer ${client.session!.token}` } });
  assert.equal(res.status, 200);
});

test('a replayed nonce is refused', async () => {
  const client = await login('replay');
  const nonce = `replay-${Date.now()}-abcdef`;
  assert.equal((await client.get('/v1/me', { nonce })).status, 200);
  const again = await client.get('/v1/me', { nonce });
  assert.equal(again.status, 401);
  assert.equal(again.body.error.code, 'REPLAYED_REQUEST');
});

test('the same nonce sent by 10 concurrent requests succeeds exactly once', async () => {
  const client = await login('concurrent');
  const nonce = `concurrent-${Date.now()}-xyz`;
  const timestamp = Math.floor(Date.now() / 1000);
  const results = await Promise.all(
    Array.from({ length: 10 }, () => client.get('/v1/me', { nonce, timestamp })),
  );
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, ...Array(9).fill(401)]);
  assert.ok(results.filter((r) => r.status === 401).every((r) => r.body.error.code === 'REPLAYED_REQUEST'));
});
