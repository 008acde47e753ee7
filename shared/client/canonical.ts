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

const tryDecode = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    if (error instanceof URIError) return undefined;
    throw error;
  }
};

/**
 * PATH of the string to sign, used by the server (shared/auth/request-auth.ts), the typed client and
 * the mini-program alike. It is the request path as sent, with its percent-encoding put in one
 * canonical form, segment by segment: decoded, then RFC 3986 encoded (everything but `A-Z a-z 0-9
 * - . _ ~` escaped, hex upper-case). Nothing else changes: no trailing-slash removal, no dot-segment
 * resolution, no query. For every path a client normally sends (`/v1/persons/<id>`) this is the path
 * unchanged; `/v1/persons/%70x` and `/v1/persons/px` (the same resource) canonicalise alike, so a
 * signature survives a gateway that decodes unreserved characters (serverless-offline's Hapi, and
 * API Gateway HTTP APIs by some reports). `/v1/persons` and `/v1/persons/` stay different paths.
 * Only the path is taken: anything from `?` or `#` on is dropped.
 */
export function canonicalPath(path: string): string {
  const end = path.search(/[?#]/);
  const bare = end === -1 ? path : path.slice(0, end);
  return bare
    .split('/')
    .map((segment) => {
      if (/^[A-Za-z0-9\-._~]*$/.test(segment)) return segment;
      const decoded = tryDecode(segment);
      // A malformed escape (`%zz`, bytes that are not UTF-8) stays as sent, hex upper-cased.
      return decoded === undefined
        ? segment.replace(/%[0-9a-f]{2}/gi, (e) => e.toUpperCase())
        : rfc3986(decoded);
    })
    .join('/');
}

export interface SignatureInput {
  method: string;
  path: string;
  query: Iterable<[string, string]>;
  timestamp: string;
  nonce: string;
  bodySha256Hex: string;
  /**
   * Sign `path` exactly as given instead of canonicalPath(path). Only the server uses it, to also
   * accept a client that signed a non-canonical spelling literally, as sent (api-v1.md's wording).
   */
  literalPath?: boolean;
}

/** `path` goes through canonicalPath here, so every signer and the verifier canonicalise alike. */
export const stringToSign = (r: SignatureInput): string =>
  [
    r.method.toUpperCase(),
    r.literalPath ? r.path : canonicalPath(r.path),
    canonicalQuery(r.query),
    r.timestamp,
    r.nonce,
    r.bodySha256Hex,
  ].join('\n');

export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
