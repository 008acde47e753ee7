/**
 * The string a request signature covers (see api-v1.md, "Authentication and request signing").
 * Isomorphic: no Node or browser APIs, so the server, the typed client, the web console and the
 * mini-program all build it with this one function.
 */

/** RFC 3986 encoding: encodeURIComponent leaves !'()* unescaped, RFC 3986 does not. */
export const rfc3986 = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** Query parameters sorted by name (then value), `name=value` RFC 3986 encoded, joined by `&`. */
export function canonicalQuery(params: Iterable<[string, string]>): string {
  return [...params]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Parses a raw query string (`a=1&b=x%20y`) into decoded pairs; `+` is a space as in forms. */
export function parseQuery(raw: string): [string, string][] {
  if (!raw) return [];
  return raw
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const i = part.indexOf('=');
      const [k, v] = i < 0 ? [part, ''] : [part.slice(0, i), part.slice(i + 1)];
      const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      return [dec(k), dec(v)];
    });
}

export interface SignatureInput {
  method: string;
  path: string;
  query: Iterable<[string, string]>;
  timestamp: string;
  nonce: string;
  bodySha256Hex: string;
}

export const stringToSign = (r: SignatureInput): string =>
  [r.method.toUpperCase(), r.path, canonicalQuery(r.query), r.timestamp, r.nonce, r.bodySha256Hex].join('\n');

export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
