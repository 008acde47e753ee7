/** SHA-256, HMAC-SHA256 and sealed payloads through Web Crypto, available in browsers and in Node 20+. */
import {
  IV_BYTES,
  PAYLOAD_KEY_INFO,
  PAYLOAD_KEY_SALT,
  TAG_BYTES,
  base64Decode,
  ciphertextAndTagOf,
  envelopeOf,
  parseEnvelope,
  type SealedEnvelope,
} from './sealed.ts';

const subtle = globalThis.crypto.subtle;
const enc = new TextEncoder();

const hex = (buf: ArrayBuffer): string =>
  Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? enc.encode(data) : data;
  return hex(await subtle.digest('SHA-256', bytes as BufferSource));
}

export async function hmacSha256Hex(key: string, message: string): Promise<string> {
  const k = await subtle.importKey('raw', enc.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return hex(await subtle.sign('HMAC', k, enc.encode(message)));
}

export function randomNonce(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(18));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The AES-256-GCM key of sealed payloads: HKDF-SHA256 of the session's signing key (sealed.ts). */
export async function payloadKey(signingKey: string): Promise<CryptoKey> {
  const ikm = await subtle.importKey('raw', enc.encode(signingKey), 'HKDF', false, ['deriveKey']);
  return subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: PAYLOAD_KEY_SALT, info: enc.encode(PAYLOAD_KEY_INFO) },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** Seals bytes with a fresh random IV (an IV given explicitly is for known-answer tests only). */
export async function sealPayload(
  key: CryptoKey,
  plaintext: Uint8Array,
  iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES)),
): Promise<SealedEnvelope> {
  // Web Crypto returns the ciphertext with the tag appended.
  const sealed = new Uint8Array(
    await subtle.encrypt(
      { name: 'AES-GCM', iv: iv as BufferSource, tagLength: TAG_BYTES * 8 },
      key,
      plaintext as BufferSource,
    ),
  );
  return envelopeOf(iv, sealed);
}

/** The plaintext of a sealed body, or undefined if it is no envelope or does not open with `key`. */
export async function openPayload(key: CryptoKey, sealedBody: string): Promise<Uint8Array | undefined> {
  const envelope = parseEnvelope(sealedBody);
  if (!envelope) return undefined;
  try {
    const iv = base64Decode(envelope.iv);
    return new Uint8Array(
      await subtle.decrypt(
        { name: 'AES-GCM', iv: iv as BufferSource, tagLength: TAG_BYTES * 8 },
        key,
        ciphertextAndTagOf(envelope) as BufferSource,
      ),
    );
  } catch {
    return undefined;
  }
}
