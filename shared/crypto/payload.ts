import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import {
  IV_BYTES,
  PAYLOAD_KEY_BYTES,
  PAYLOAD_KEY_INFO,
  PAYLOAD_KEY_SALT,
  TAG_BYTES,
  parseEnvelope,
  type SealedEnvelope,
} from '../client/sealed.ts';
import { AppError } from '../errors.ts';

/**
 * Payload encryption on the server (api-v1.md, "Consent, retention, audit, export"): AES-256-GCM under a
 * key derived from the session's signing key; the envelope and the derivation's parameters are defined
 * once, in shared/client/sealed.ts.
 */

export const payloadKey = (signingKey: string): Buffer =>
  Buffer.from(hkdfSync('sha256', signingKey, PAYLOAD_KEY_SALT, PAYLOAD_KEY_INFO, PAYLOAD_KEY_BYTES));

/** Seals bytes under `key` with a fresh random IV (an IV given explicitly is for known-answer tests only). */
export function sealPayload(
  key: Uint8Array,
  plaintext: Uint8Array,
  iv: Uint8Array = randomBytes(IV_BYTES),
): SealedEnvelope {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    iv: Buffer.from(iv).toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

const badPayload = (message: string) => new AppError('BAD_PAYLOAD', message);

/** The plaintext of a sealed body; 400 BAD_PAYLOAD if it is no envelope or does not open with `key`. */
export function openPayload(key: Uint8Array, sealedBody: string): Buffer {
  const envelope = parseEnvelope(sealedBody);
  if (!envelope) {
    throw badPayload(
      'A sealed body must be {"iv", "ciphertext", "tag"} in padded base64, with a 12-byte iv and a 16-byte tag.',
    );
  }
  // authTagLength pins the tag to 16 bytes: GCM would otherwise accept a truncated (forgeable) tag.
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(envelope.ciphertext, 'base64')), decipher.final()]);
  } catch {
    throw badPayload(
      "The body does not open with this session's payload key: it was sealed with another key or altered.",
    );
  }
}
