import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { localRedis } from '../../scripts/stack/clients.ts';
import { CAPTCHA_TTL_SECONDS, createCaptcha, openChallenge, verifyCaptcha } from './challenge.ts';
import { CAPTCHA_HEIGHT, CAPTCHA_WIDTH } from './render.ts';
import { consumeCaptchaToken } from './token.ts';

// Runs against the local stack's Redis (npm test exports its environment).

const rejectsWith = (promise: Promise<unknown>, status: number, code: string, details?: object) =>
  assert.rejects(promise, (e: { status: number; code: string; details?: object }) => {
    assert.equal(e.status, status);
    assert.equal(e.code, code);
    if (details) assert.deepEqual(e.details, details);
    return true;
  });

describe('captcha challenges', () => {
  it('issues a PNG by default, an SVG on request, and keeps only a hash of the answer', async () => {
    const png = await createCaptcha();
    assert.match(png.image, /^data:image\/png;base64,/);
    assert.equal(png.expiresIn, CAPTCHA_TTL_SECONDS);
    const meta = await sharp(Buffer.from(png.image.split(',')[1]!, 'base64')).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', CAPTCHA_WIDTH, CAPTCHA_HEIGHT]);

    const svg = await createCaptcha('svg');
    assert.match(svg.image, /^data:image\/svg\+xml;base64,/);
    assert.match(Buffer.from(svg.image.split(',')[1]!, 'base64').toString(), /^<svg /);

    const stored = await localRedis().get<string>(`captcha:${png.captchaId}`);
    assert.match(stored!, /^3:[0-9a-f]{64}$/);
    const ttl = await localRedis().ttl(`captcha:${png.captchaId}`);
    assert.ok(ttl > 0 && ttl <= CAPTCHA_TTL_SECONDS);
  });

  it('accepts the answer in any case and with surrounding spaces, once', async () => {
    const id = await openChallenge('AC3FHK');
    const token = await verifyCaptcha(id, '  ac3fhk ');
    assert.match(token, /^[A-Za-z0-9_-]{32}$/);
    await rejectsWith(verifyCaptcha(id, 'AC3FHK'), 410, 'CAPTCHA_EXPIRED');
  });

  it('counts wrong answers down and is gone after the third', async () => {
    const id = await openChallenge('MNPRT');
    await rejectsWith(verifyCaptcha(id, 'MNPRX'), 400, 'CAPTCHA_INCORRECT', { attemptsLeft: 2 });
    await rejectsWith(verifyCaptcha(id, 'MNPR'), 400, 'CAPTCHA_INCORRECT', { attemptsLeft: 1 });
    await rejectsWith(verifyCaptcha(id, 'x'), 400, 'CAPTCHA_INCORRECT', { attemptsLeft: 0 });
    // Even the right answer is too late now.
    await rejectsWith(verifyCaptcha(id, 'MNPRT'), 410, 'CAPTCHA_EXPIRED');
  });

  it('a right answer after wrong ones still passes while attempts are left', async () => {
    const id = await openChallenge('WXY39');
    await rejectsWith(verifyCaptcha(id, 'WXY38'), 400, 'CAPTCHA_INCORRECT', { attemptsLeft: 2 });
    assert.ok(await verifyCaptcha(id, 'wxy39'));
  });

  it('answers 410 for an unknown or expired captcha', async () => {
    await rejectsWith(verifyCaptcha('no-such-captcha', 'ACE'), 410, 'CAPTCHA_EXPIRED');
    const id = await openChallenge('EFHKM');
    await localRedis().del(`captcha:${id}`); // what expiry leaves behind
    await rejectsWith(verifyCaptcha(id, 'EFHKM'), 410, 'CAPTCHA_EXPIRED');
  });

  it('lets exactly one of many concurrent right answers through', async () => {
    const id = await openChallenge('KMNPR');
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => verifyCaptcha(id, 'KMNPR')));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  });

  it('spends concurrent wrong answers one attempt each, never more than three', async () => {
    const id = await openChallenge('TWXY3');
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => verifyCaptcha(id, 'nope')));
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'));
    assert.equal(codes.filter((c) => c === 'CAPTCHA_INCORRECT').length, 3);
    assert.equal(codes.filter((c) => c === 'CAPTCHA_EXPIRED').length, 3);
  });
});

describe('captcha tokens', () => {
  it('are single-use', async () => {
    const token = await verifyCaptcha(await openChallenge('ACEFH'), 'ACEFH');
    assert.equal(await consumeCaptchaToken(token), true);
    assert.equal(await consumeCaptchaToken(token), false);
  });

  it('concurrent consumers: exactly one wins', async () => {
    const token = await verifyCaptcha(await openChallenge('HKMNP'), 'HKMNP');
    const wins = await Promise.all(Array.from({ length: 5 }, () => consumeCaptchaToken(token)));
    assert.equal(wins.filter(Boolean).length, 1);
  });

  it('forged or empty tokens are refused', async () => {
    assert.equal(await consumeCaptchaToken('forged-token-forged-token-forged-t'), false);
    assert.equal(await consumeCaptchaToken(''), false);
  });
});
