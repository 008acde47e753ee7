'use strict';
/**
 * Preloaded into serverless-offline (scripts/stack/services.ts, `node --require`). Hapi, which
 * serverless-offline 13 is built on, normalises the request path before the event is built: it
 * decodes percent-encoded unreserved characters and sub-delimiters (`%70` -> `p`), upper-cases the
 * rest and strips a trailing slash, and serverless-offline copies that normalised path into
 * `rawPath` and `requestContext.http.path`. API Gateway passes the path it received instead, and the
 * request signature covers the path as sent (shared/client/canonical.ts, canonicalPath). This keeps
 * Hapi's routing on its normalised `request.path` but makes `request.url.pathname`, which is all
 * serverless-offline reads for the event, the path as it came over the wire.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload for a CommonJS module
const Request = require('@hapi/hapi/lib/request.js');

const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, 'url');
if (!descriptor || typeof descriptor.get !== 'function') {
  throw new Error('offline-raw-path: @hapi/hapi Request has no url getter; update this shim');
}
const patched = new WeakSet();

Object.defineProperty(Request.prototype, 'url', {
  configurable: true,
  enumerable: descriptor.enumerable,
  get() {
    const url = descriptor.get.call(this);
    if (!url || patched.has(url)) return url;
    patched.add(url);
    const raw = (this.raw && this.raw.req && this.raw.req.url) || '';
    const end = raw.search(/[?#]/);
    const rawPath = end === -1 ? raw : raw.slice(0, end);
    // WHATWG's pathname setter keeps percent-encoding and trailing slashes as given.
    if (rawPath.startsWith('/')) url.pathname = rawPath;
    return url;
  },
});
