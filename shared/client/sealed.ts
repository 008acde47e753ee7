/**
 * The sealed-payload envelope of api-v1.md ("Consent, retention, audit, export"): with
 * `X-Payload-Encryption: aes-256-gcm` a body is `{"iv", "ciphertext", "tag"}` (standard base64, padded)
 * instead of its JSON, sealed with AES-256-GCM under HKDF-SHA256(signingKey) (see PAYLOAD_KEY_*).
 * Isomorphic, like canonical.ts: no Node or browser APIs, so the server (shared/crypto/payload.ts), the
 * typed client (webcrypto.ts) and the mini-program (pure JS) agree on one definition. Each does the
 * cryptography with what its runtime has.
 */

export const PAYLOAD_ENCRYPTION_HEADER = 'X-Payload-Encryption';
export const PAYLOAD_ALGORITHM = 'aes-256-gcm';

/**
 * Key derivation: HKDF-SHA256 with the session's signingKey as input keying material, taken as the same
 * bytes the request signature uses (the UTF-8 text of the 64 hex digits), an empty salt (RFC 5869 then
 * uses 32 zero bytes: the signing key already is a uniformly random 256-bit secret, so a salt would add
 * nothing) and this info string; 32 bytes of output make the AES-256 key.
 */
export const PAYLOAD_KEY_INFO = 'facegate-payload-v1';
export const PAYLOAD_KEY_SALT = new Uint8Array(0);
export const PAYLOAD_KEY_BYTES = 32;
/** GCM's standard 96-bit IV, random per message (never reused under one key), and a full 128-bit tag. */
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

/**
 * Endpoints without a session (sign-in, health, captcha, JWKS, the edge heartbeat) have no key to seal
 * with: clients send them plain even when sealing is on. openapi/generate.ts checks this list against
 * the routes' own auth setting.
 */
const SESSIONLESS =
  /^\/v1\/(?:health|auth\/session|captcha|captcha\/verify|\.well-known\/jwks\.json|edge\/heartbeat)$/;
export const sealable = (path: string): boolean => !SESSIONLESS.test(path);

export interface SealedEnvelope {
  iv: string;
  ciphertext: string;
  tag: string;
}

/**
 * The envelope of AES-GCM output as Web Crypto and @noble produce it (the ciphertext with the 16-byte tag
 * appended), and back: the two JavaScript backends share the split.
 */
export function envelopeOf(iv: Uint8Array, ciphertextAndTag: Uint8Array): SealedEnvelope {
  const split = ciphertextAndTag.length - TAG_BYTES;
  return {
    iv: base64Encode(iv),
    ciphertext: base64Encode(ciphertextAndTag.subarray(0, split)),
    tag: base64Encode(ciphertextAndTag.subarray(split)),
  };
}

export function ciphertextAndTagOf(envelope: SealedEnvelope): Uint8Array {
  const ciphertext = base64Decode(envelope.ciphertext);
  const joined = new Uint8Array(ciphertext.length + TAG_BYTES);
  joined.set(ciphertext);
  joined.set(base64Decode(envelope.tag), ciphertext.length);
  return joined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const decodedLength = (b64: string) =>
  (b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);

/**
 * The envelope in a sealed body, or undefined when the text is not exactly one: a JSON object with only
 * `iv`, `ciphertext` and `tag`, each padded standard base64, the iv 12 bytes and the tag 16 bytes.
 */
export function parseEnvelope(text: string): SealedEnvelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { iv, ciphertext, tag, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return undefined;
  const parts = [iv, ciphertext, tag];
  if (!parts.every((p): p is string => typeof p === 'string' && BASE64.test(p))) return undefined;
  if (decodedLength(iv as string) !== IV_BYTES || decodedLength(tag as string) !== TAG_BYTES)
    return undefined;
  return { iv: iv as string, ciphertext: ciphertext as string, tag: tag as string };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const INDEX = new Uint8Array(128);
for (let i = 0; i < ALPHABET.length; i++) INDEX[ALPHABET.charCodeAt(i)] = i;

/** Standard, padded base64 (runtimes without Buffer or btoa, e.g. WeChat mini-programs). */
export function base64Encode(bytes: Uint8Array): string {
  const chunks: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    chunks.push(
      ALPHABET[n >> 18]! +
        ALPHABET[(n >> 12) & 63]! +
        (i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63]! : '=') +
        (i + 2 < bytes.length ? ALPHABET[n & 63]! : '='),
    );
  }
  return chunks.join('');
}

/** Decodes base64 that parseEnvelope accepted (padded standard alphabet). */
export function base64Decode(b64: string): Uint8Array {
  const out = new Uint8Array(decodedLength(b64));
  let o = 0;
  for (let i = 0; i < b64.length; i += 4) {
    const n =
      (INDEX[b64.charCodeAt(i)]! << 18) |
      (INDEX[b64.charCodeAt(i + 1)]! << 12) |
      (INDEX[b64.charCodeAt(i + 2)]! << 6) |
      INDEX[b64.charCodeAt(i + 3)]!;
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
