import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isAppError } from '../errors.ts';
import { base64Decode, base64Encode, parseEnvelope } from '../client/sealed.ts';
import * as web from '../client/webcrypto.ts';
import { IV, KEY_HEX, PLAINTEXT, SEALED, SIGNING_KEY } from './known-answer.ts';
import { openPayload, payloadKey, sealPayload } from './payload.ts';

const badPayload = (e: unknown) => isAppError(e) && e.status === 400 && e.code === 'BAD_PAYLOAD';

test('the key and the sealed envelope match the independently computed known answer', () => {
  const key = payloadKey(SIGNING_KEY);
  assert.equal(key.toString('hex'), KEY_HEX);
  assert.deepEqual(sealPayload(key, Buffer.from(PLAINTEXT), IV), SEALED);
  assert.equal(openPayload(key, JSON.stringify(SEALED)).toString('utf8'), PLAINTEXT);
});

test('the Web Crypto side (typed client, console) derives the same key and seals the same bytes', async () => {
  const key = await web.payloadKey(SIGNING_KEY);
  assert.deepEqual(await web.sealPayload(key, new TextEncoder().encode(PLAINTEXT), IV), SEALED);
  const opened = await web.openPayload(key, JSON.stringify(SEALED));
  assert.equal(new TextDecoder().decode(opened), PLAINTEXT);
  // Random IVs each time, and each side opens what the other sealed.
  const fromWeb = await web.sealPayload(key, new TextEncoder().encode('{}'));
  assert.notEqual(fromWeb.iv, (await web.sealPayload(key, new TextEncoder().encode('{}'))).iv);
  assert.equal(openPayload(payloadKey(SIGNING_KEY), JSON.stringify(fromWeb)).toString(), '{}');
  const fromNode = sealPayload(payloadKey(SIGNING_KEY), Buffer.from('[1]'));
  assert.equal(new TextDecoder().decode(await web.openPayload(key, JSON.stringify(fromNode))), '[1]');
});

test('a flipped bit anywhere, another key or a truncated tag: BAD_PAYLOAD, never plaintext', async () => {
  const key = payloadKey(SIGNING_KEY);
  const flip = (b64: string, byte: number) => {
    const bytes = Buffer.from(b64, 'base64');
    bytes[byte]! ^= 1;
    return bytes.toString('base64');
  };
  const variants = [
    { ...SEALED, ciphertext: flip(SEALED.ciphertext, 5) },
    { ...SEALED, tag: flip(SEALED.tag, 15) },
    { ...SEALED, iv: flip(SEALED.iv, 0) },
  ];
  for (const sealed of variants) {
    assert.throws(() => openPayload(key, JSON.stringify(sealed)), badPayload);
    assert.equal(await web.openPayload(await web.payloadKey(SIGNING_KEY), JSON.stringify(sealed)), undefined);
  }
  assert.throws(() => openPayload(payloadKey('f'.repeat(64)), JSON.stringify(SEALED)), badPayload);
  const shortTag = { ...SEALED, tag: Buffer.from(SEALED.tag, 'base64').subarray(0, 12).toString('base64') };
  assert.throws(() => openPayload(key, JSON.stringify(shortTag)), badPayload);
});

test('only the exact envelope is accepted', () => {
  const rejected = [
    '',
    'not json',
    '[]',
    'null',
    JSON.stringify({ iv: SEALED.iv, ciphertext: SEALED.ciphertext }),
    JSON.stringify({ ...SEALED, extra: 1 }),
    JSON.stringify({ ...SEALED, iv: 'AAECAwQFBgcICQ' }), // 10 bytes, unpadded
    JSON.stringify({ ...SEALED, iv: 'AAECAwQFBgcICQoLDA==' }), // 13 bytes
    JSON.stringify({ ...SEALED, ciphertext: SEALED.ciphertext.replace('+', '-') }), // base64url
    JSON.stringify({ ...SEALED, ciphertext: 42 }),
  ];
  for (const text of rejected) assert.equal(parseEnvelope(text), undefined, text);
  assert.deepEqual(parseEnvelope(JSON.stringify(SEALED)), SEALED);
  assert.deepEqual(parseEnvelope(JSON.stringify({ ...SEALED, ciphertext: '' })), {
    ...SEALED,
    ciphertext: '',
  });
});

test('the pure-JS base64 codec agrees with Buffer at every length', () => {
  for (let length = 0; length < 70; length++) {
    const bytes = randomBytes(length);
    const b64 = bytes.toString('base64');
    assert.equal(base64Encode(bytes), b64);
    assert.deepEqual(Buffer.from(base64Decode(b64)), bytes);
  }
});
