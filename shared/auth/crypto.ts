import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const sha256Hex = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');

export const hmacHex = (key: string | Uint8Array, data: string): string =>
  createHmac('sha256', key).update(data).digest('hex');

export const hmacBase64Url = (key: string | Uint8Array, data: string): string =>
  createHmac('sha256', key).update(data).digest('base64url');

/** Constant-time comparison of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
