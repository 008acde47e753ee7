/**
 * Sealed payloads (api-v1.md, `X-Payload-Encryption: aes-256-gcm`) for a runtime without Web Crypto:
 * AES-256-GCM from @noble/ciphers and HKDF-SHA256 from @noble/hashes (pure JavaScript, audited), over
 * the envelope and key-derivation parameters of shared/client/sealed.ts, the definition the server
 * opens with. Random IVs come from the caller (wx.getRandomValues in the app).
 */
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  IV_BYTES,
  PAYLOAD_KEY_BYTES,
  PAYLOAD_KEY_INFO,
  PAYLOAD_KEY_SALT,
  base64Decode,
  ciphertextAndTagOf,
  envelopeOf,
  parseEnvelope,
  type SealedEnvelope,
} from '../../../shared/client/sealed.ts';
import { utf8 } from './sha256.ts';

export const payloadKey = (signingKey: string): Uint8Array =>
  hkdf(sha256, utf8(signingKey), PAYLOAD_KEY_SALT, utf8(PAYLOAD_KEY_INFO), PAYLOAD_KEY_BYTES);

/** Seals the text of a JSON body; `iv` must be 12 fresh random bytes, never reused with this key. */
export function sealText(key: Uint8Array, text: string, iv: Uint8Array): SealedEnvelope {
  if (iv.length !== IV_BYTES) throw new Error(`The IV must be ${IV_BYTES} bytes.`);
  const sealed = gcm(key, iv).encrypt(utf8(text)); // ciphertext, then the 16-byte tag
  return envelopeOf(iv, sealed);
}

/** The text inside a sealed body, or undefined if it is no envelope or does not open with `key`. */
export function openText(key: Uint8Array, sealedBody: string): string | undefined {
  const envelope = parseEnvelope(sealedBody);
  if (!envelope) return undefined;
  try {
    return utf8Text(gcm(key, base64Decode(envelope.iv)).decrypt(ciphertextAndTagOf(envelope)));
  } catch {
    return undefined;
  }
}

/** UTF-8 bytes to text (mini-program runtimes lack TextDecoder). Input is valid: it passed GCM. */
export function utf8Text(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const extra = b < 0x80 ? 0 : b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
    let c = extra === 0 ? b : b & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) c = (c << 6) | (bytes[i + k]! & 0x3f);
    parts.push(String.fromCodePoint(c));
    i += extra + 1;
  }
  return parts.join('');
}
