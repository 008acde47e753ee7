import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IV, KEY_HEX, PLAINTEXT, SEALED, SIGNING_KEY } from '../../../shared/crypto/known-answer.ts';
import { openText, payloadKey, sealText, utf8Text } from './sealed.ts';

/** The mini-program's pure-JS sealing against the known answer every implementation must give. */

describe('pure-JS sealed payloads', () => {
  it('derive the key and seal exactly as the independent computation', () => {
    const key = payloadKey(SIGNING_KEY);
    assert.equal(Buffer.from(key).toString('hex'), KEY_HEX);
    assert.deepEqual(sealText(key, PLAINTEXT, IV), SEALED);
    assert.equal(openText(key, JSON.stringify(SEALED)), PLAINTEXT);
  });

  it('refuse a flipped bit, another key and a wrong IV length', () => {
    const key = payloadKey(SIGNING_KEY);
    const tag = Buffer.from(SEALED.tag, 'base64');
    tag[0]! ^= 1;
    assert.equal(openText(key, JSON.stringify({ ...SEALED, tag: tag.toString('base64') })), undefined);
    assert.equal(openText(payloadKey('0'.repeat(64)), JSON.stringify(SEALED)), undefined);
    assert.throws(() => sealText(key, '{}', new Uint8Array(16)), /12 bytes/);
  });

  it('decode UTF-8 like Buffer', () => {
    for (const text of [
      '',
      'ascii',
      'café',
      '张三的脸',
      'emoji 😀 and 𝄞',
      '\u0000\u007f\u0080\u07ff\u0800\uffff',
    ])
      assert.equal(utf8Text(new Uint8Array(Buffer.from(text, 'utf8'))), text);
  });
});
