import { test } from 'node:test';
import assert from 'node:assert/strict';
import { issueCaptchaToken } from '../../shared/captcha/token.ts';
import { urls } from '../support/stack.ts';
import { postJsonFrom, randomLoopback } from '../support/from-address.ts';

test('after 5 failed logins from one address, login needs a single-use captcha token', async () => {
  const from = randomLoopback();
  const login = (body: object) => postJsonFrom(from, `${urls.api}/auth/session`, body);
  for (let i = 0; i < 5; i++) {
    const res = await login({ code: `bogus-${i}` });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'INVALID_LOGIN_CODE');
  }
  const blocked = await login({ code: 'test:captcha-user' });
  assert.equal(blocked.status, 403);
  assert.equal(blocked.body.error.code, 'CAPTCHA_REQUIRED');
  assert.equal((await login({ code: 'test:captcha-user', captchaToken: 'made-up' })).status, 403);

  // The token POST /v1/captcha/verify hands out after a correct answer (tested in tests/captcha).
  const captchaToken = await issueCaptchaToken();
  const ok = await login({ code: 'test:captcha-user', captchaToken });
  assert.equal(ok.status, 200);
  assert.ok(ok.body.token);
  const reused = await login({ code: 'test:captcha-user', captchaToken });
  assert.equal(reused.status, 403, 'a captcha token is single-use');

  const elsewhere = await postJsonFrom(randomLoopback(), `${urls.api}/auth/session`, {
    code: 'test:captcha-user',
  });
  assert.equal(elsewhere.status, 200, 'other addresses are not affected');
});
