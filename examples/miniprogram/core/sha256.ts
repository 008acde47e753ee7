/**
 * SHA-256 and HMAC-SHA256 for runtimes without Web Crypto (WeChat mini-programs), from @noble/hashes
 * (pure JavaScript, audited), which also provides the HKDF of sealed payloads (sealed.ts): one SHA-256
 * in the bundle. Synchronous; request bodies are images of a few MB at most, hashed once per request.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** UTF-8 bytes of a string (mini-program runtimes lack TextEncoder too). */
export function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

export const sha256 = (data: Uint8Array): Uint8Array => nobleSha256(data);

export const hmacSha256 = (key: Uint8Array, message: Uint8Array): Uint8Array =>
  hmac(nobleSha256, key, message);

export const sha256Hex = (data: Uint8Array | string): string =>
  bytesToHex(sha256(typeof data === 'string' ? utf8(data) : data));

export const hmacSha256Hex = (key: string, message: string): string =>
  bytesToHex(hmacSha256(utf8(key), utf8(message)));
