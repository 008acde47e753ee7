/**
 * Solves the API's proof-of-work challenges (428 POW_REQUIRED, ALTCHA's SHA-256 protocol): find the
 * number n ≤ maxnumber with SHA-256(salt + n) = challenge, and send it back, base64 JSON, in the
 * X-Pow-Solution header. Plain JavaScript throughout (sha256-ascii.ts, a base64 of our own), so the same
 * code runs in browsers and their workers, Node and the mini-program, which has neither Web Crypto nor btoa.
 */

import { sha256WithPrefix } from './sha256-ascii.ts';

export const POW_HEADER = 'X-Pow-Solution';

/** `details.challenge` of a 428 POW_REQUIRED. */
export interface PowChallenge {
  algorithm: string;
  challenge: string;
  /** The search bound; ALTCHA's default when absent. */
  maxnumber?: number;
  salt: string;
  signature: string;
}

/** SHA-256 of a string as lowercase hex, synchronous or not. */
export type Sha256Hex = (text: string) => string | Promise<string>;

/** Web Crypto's digest, one promise per hash: the bench compares it with the default. */
export const webCryptoSha256Hex: Sha256Hex = async (text) => {
  const digest = new Uint8Array(
    await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)),
  );
  let hex = '';
  for (const byte of digest) hex += (byte < 16 ? '0' : '') + byte.toString(16);
  return hex;
};

/** The event loop gets a turn this often, so a page or mini-program stays responsive while solving. */
const YIELD_EVERY = 5000;

/**
 * Finds the number; throws when the challenge has none (not one of ours, or tampered with). By default
 * hashes with sha256-ascii.ts (the salt's whole blocks once); `sha256Hex` replaces it (bench).
 */
export async function solvePowNumber(challenge: PowChallenge, sha256Hex?: Sha256Hex): Promise<number> {
  if (challenge.algorithm !== 'SHA-256')
    throw new Error(`Unsupported proof-of-work algorithm ${challenge.algorithm}.`);
  const withSalt = sha256WithPrefix(challenge.salt);
  const hash: Sha256Hex = sha256Hex ? (n) => sha256Hex(challenge.salt + n) : withSalt;
  const max = challenge.maxnumber ?? 1_000_000;
  for (let n = 0; n <= max; n++) {
    const hashed = hash(String(n));
    const hex = typeof hashed === 'string' ? hashed : await hashed;
    if (hex === challenge.challenge) return n;
    if (n % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error('The proof-of-work challenge has no solution.');
}

/** The X-Pow-Solution header value for a challenge and its number. */
export function powSolutionHeader(challenge: PowChallenge, number: number): string {
  const { algorithm, salt, signature } = challenge;
  return base64Ascii(JSON.stringify({ algorithm, challenge: challenge.challenge, number, salt, signature }));
}

/** Solves a challenge and returns the X-Pow-Solution header value. */
export async function solvePow(challenge: PowChallenge, sha256Hex?: Sha256Hex): Promise<string> {
  return powSolutionHeader(challenge, await solvePowNumber(challenge, sha256Hex));
}

/** The challenge of a 428 POW_REQUIRED error body, if that is what the response is. */
export function powChallengeOf(status: number, body: unknown): PowChallenge | undefined {
  const error = (body as { error?: { code?: string; details?: { challenge?: PowChallenge } } } | undefined)
    ?.error;
  return status === 428 && error?.code === 'POW_REQUIRED' ? error.details?.challenge : undefined;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of an ASCII string (the payload is JSON of ASCII fields), without relying on btoa. */
function base64Ascii(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 3) {
    const [a, b, c] = [text.charCodeAt(i), text.charCodeAt(i + 1), text.charCodeAt(i + 2)];
    const triple = (a << 16) | ((b || 0) << 8) | (c || 0);
    out += ALPHABET[(triple >> 18) & 63]! + ALPHABET[(triple >> 12) & 63]!;
    out += i + 1 < text.length ? ALPHABET[(triple >> 6) & 63]! : '=';
    out += i + 2 < text.length ? ALPHABET[triple & 63]! : '=';
  }
  return out;
}
