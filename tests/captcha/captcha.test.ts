import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { openChallenge } from '../../shared/captcha/challenge.ts';
import { consumeCaptchaToken } from '../../shared/captcha/token.ts';
import { FacegateClient } from '../../shared/client/client.ts';
import { urls } from '../support/stack.ts';

/**
 * The captcha endpoints through serverless-offline. They are public (no signature). A test cannot read
 * the image, so the right-answer cases open their challenge with a known text in the stack's Redis
 * (the first half of what GET /v1/captcha does) and answer it over HTTP.
 */

const anon = new FacegateClient(new URL(urls.api).origin);
const payload = (dataUri: string) => Buffer.from(dataUri.slice(dataUri.indexOf(',') + 1), 'base64');

describe('GET /v1/captcha', () => {
  it('returns a PNG data URI by default, uncached', async () => {
    const res = await anon.get('/v1/captcha');
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['captchaId', 'expiresIn', 'image']);
    assert.equal(res.body.expiresIn, 300);
    assert.match(res.body.image, /^data:image\/png;base64,/);
    const meta = await sharp(payload(res.body.image)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 320, 90]);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.ok(res.headers.get('x-request-id'));
  });

  it('returns an SVG document on format=svg, and a new captcha every time', async () => {
    const [a, b] = await Promise.all([
      anon.get('/v1/captcha', { query: { format: 'svg' } }),
      anon.get('/v1/captcha'),
    ]);
    assert.equal(a.status, 200);
    assert.match(a.body.image, /^data:image\/svg\+xml;base64,/);
    assert.match(payload(a.body.image).toString(), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.notEqual(a.body.captchaId, b.body.captchaId);
  });

  it('refuses an unknown format: 400 VALIDATION_FAILED naming the field', async () => {
    const res = await anon.get('/v1/captcha', { query: { format: 'gif' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'VALIDATION_FAILED');
    assert.ok(res.body.error.details.fields.format);
  });
});

describe('POST /v1/captcha/verify', () => {
  it('a right answer, in any case, gives a single-use captcha token', async () => {
    const captchaId = await openChallenge('HKN39');
    const res = await anon.post('/v1/captcha/verify', { captchaId, answer: 'hkn39' });
    assert.equal(res.status, 200);
    assert.equal(res.body.valid, true);
    assert.equal(typeof res.body.captchaToken, 'string');
    assert.equal(await consumeCaptchaToken(res.body.captchaToken), true);
    assert.equal(await consumeCaptchaToken(res.body.captchaToken), false);

    const again = await anon.post('/v1/captcha/verify', { captchaId, answer: 'HKN39' });
    assert.equal(again.status, 410);
    assert.equal(again.body.error.code, 'CAPTCHA_EXPIRED');
  });

  it('wrong answers: 400 with the attempts left, then 410 once three are spent', async () => {
    const { body } = await anon.get('/v1/captcha');
    const left: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await anon.post('/v1/captcha/verify', { captchaId: body.captchaId, answer: 'wrong' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'CAPTCHA_INCORRECT');
      left.push(res.body.error.details.attemptsLeft);
    }
    assert.deepEqual(left, [2, 1, 0]);
    const res = await anon.post('/v1/captcha/verify', { captchaId: body.captchaId, answer: 'wrong' });
    assert.equal(res.status, 410);
    assert.equal(res.body.error.code, 'CAPTCHA_EXPIRED');
  });

  it('an unknown captcha: 410; a malformed body: 400 naming the fields', async () => {
    const unknown = await anon.post('/v1/captcha/verify', { captchaId: 'never-issued', answer: 'ACE39' });
    assert.equal(unknown.status, 410);
    const bad = await anon.post('/v1/captcha/verify', { answer: '' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
    assert.deepEqual(Object.keys(bad.body.error.details.fields).sort(), ['answer', 'captchaId']);
  });
});
