/** SHA-256 and HMAC-SHA256 through Web Crypto, available in browsers and in Node 20+. */
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
