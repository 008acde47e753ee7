import { test } from 'node:test';
import assert from 'node:assert/strict';

process.env.AUTH_SECRET ??= 'unit-test-secret-unit-test-secret-unit-test';
process.env.UPSTASH_REDIS_REST_URL ??= 'http://127.0.0.1:1';
process.env.UPSTASH_REDIS_REST_TOKEN ??= 'unused';
process.env.WECHAT_APP_ID ??= 'wx-test';
process.env.WECHAT_APP_SECRET ??= 'unused';

const { issueSession, signingKeyFor, userIdFor, verifyToken } = await import('./tokens.ts');

test('a session token verifies until it expires and carries its user', () => {
  const now = 1_700_000_000;
  const { token, session, signingKey } = issueSession('u_1', now);
  assert.deepEqual(verifyToken(token, now + 10), session);
  assert.equal(signingKey, signingKeyFor(session.sessionId));
  assert.throws(() => verifyToken(token, session.expiresAt), { code: 'UNAUTHENTICATED' });
});

test('a token with a changed payload or MAC is rejected', () => {
  const { token } = issueSession('u_1');
  const [v, payload, mac] = token.split('.');
  const forged = Buffer.from(JSON.stringify(['u_2', 'x', 9_999_999_999])).toString('base64url');
  assert.throws(() => verifyToken(`${v}.${forged}.${mac}`), { code: 'UNAUTHENTICATED' });
  assert.throws(() => verifyToken(`${v}.${payload}.${mac!.slice(1)}A`), { code: 'UNAUTHENTICATED' });
  assert.throws(() => verifyToken('garbage'), { code: 'UNAUTHENTICATED' });
});

test('user ids are stable per openid and do not reveal it', () => {
  assert.equal(userIdFor('wx', 'alice'), userIdFor('wx', 'alice'));
  assert.notEqual(userIdFor('wx', 'alice'), userIdFor('wx', 'bob'));
  assert.ok(!userIdFor('wx', 'alice').includes('alice'));
});
