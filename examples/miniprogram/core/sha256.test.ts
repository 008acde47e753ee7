import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { hmacSha256, hmacSha256Hex, sha256, sha256Hex, utf8 } from './sha256.ts';

/** The pure-JS hashes of the mini-program against node:crypto. */

const nodeSha = (data: Uint8Array) => createHash('sha256').update(data).digest();
const nodeHmac = (key: Uint8Array, data: Uint8Array) => createHmac('sha256', key).update(data).digest();

// Around the 55/56/64-byte padding boundaries, then random lengths up to a few blocks, then large.
const lengths = [
  0, 1, 3, 31, 32, 54, 55, 56, 57, 63, 64, 65, 111, 119, 120, 127, 128, 129, 1000, 4096, 100_003,
];
for (let i = 0; i < 200; i++) lengths.push(Math.floor(Math.random() * 700));

describe('pure-JS SHA-256', () => {
  it('equals node:crypto for every length', () => {
    for (const length of lengths) {
      const data = randomBytes(length);
      assert.deepEqual(Buffer.from(sha256(data)), nodeSha(data), `length ${length}`);
    }
  });

  it('matches the published test vectors', () => {
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(
      sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('hashes a 3 MB image-sized body like node:crypto', () => {
    const data = randomBytes(3 * 1024 * 1024);
    assert.deepEqual(Buffer.from(sha256(data)), nodeSha(data));
  });
});

describe('pure-JS HMAC-SHA256', () => {
  it('equals node:crypto for keys shorter than, equal to and longer than the block', () => {
    for (const keyLength of [0, 1, 16, 32, 63, 64, 65, 100, 200]) {
      for (const length of lengths.slice(0, 40)) {
        const key = randomBytes(keyLength);
        const data = randomBytes(length);
        assert.deepEqual(
          Buffer.from(hmacSha256(key, data)),
          nodeHmac(key, data),
          `key ${keyLength}, data ${length}`,
        );
      }
    }
  });

  it('matches RFC 4231 test case 2', () => {
    assert.equal(
      hmacSha256Hex('Jefe', 'what do ya want for nothing?'),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

describe('utf8', () => {
  it('encodes like Buffer, including 2-, 3- and 4-byte characters', () => {
    for (const text of [
      '',
      'plain ascii',
      'café',
      '张三的脸',
      'emoji 😀 and 𝄞',
      '\u0000\u007f\u0080\u07ff\u0800\uffff',
    ]) {
      assert.deepEqual(Buffer.from(utf8(text)), Buffer.from(text, 'utf8'), text);
      assert.equal(
        hmacSha256Hex('key-' + text, text),
        createHmac('sha256', 'key-' + text)
          .update(text)
          .digest('hex'),
      );
    }
  });
});
