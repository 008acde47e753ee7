'use strict';
/**
 * Preloaded into serverless-offline (scripts/stack/services.ts, `node --require`). Hapi, which
 * serverless-offline 13 is built on, normalises the request path before the event is built: it
 * decodes percent-encoded unreserved characters and sub-delimiters (`%70` -> `p`), upper-cases the
 * rest and strips a trailing slash, and serverless-offline copies that normalised path into
 * `rawPath` and `requestContext.http.path`. API Gateway passes the path it received instead, and the
 * request signature covers the path as sent (shared/client/canonical.ts, canonicalPath). This keeps
 * Hapi's routing on its normalised `request.path` but makes `request.url.pathname`, which is all
 * serverless-offline reads for the event, the path as it came over the wire. It also turns a crashed
 * function's answer into API Gateway's (gatewayFailure, below).
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

/**
 * A function that crashed or timed out: serverless-offline 13 answers an HTTP API (payload 2.0) route
 * with 200 and the Lambda error object (errorMessage, errorType, stackTrace) as the body. API Gateway
 * answers 500 `{"message":"Internal Server Error"}` (503 "Service Unavailable" when the integration
 * timed out) and never shows the stack. Returns that answer for such a body, else undefined.
 */
function gatewayFailure(statusCode, source) {
  if (statusCode !== 200 || typeof source !== 'string' || !source.includes('"stackTrace"')) return undefined;
  let body;
  try {
    body = JSON.parse(source);
  } catch {
    return undefined;
  }
  if (!body || typeof body.errorType !== 'string' || !Array.isArray(body.stackTrace)) return undefined;
  return /timed? ?out/i.test(String(body.errorMessage))
    ? { statusCode: 503, body: '{"message":"Service Unavailable"}' }
    : { statusCode: 500, body: '{"message":"Internal Server Error"}' };
}

const setResponse = Request.prototype._setResponse;
if (typeof setResponse !== 'function') {
  throw new Error('offline-raw-path: @hapi/hapi Request has no _setResponse; update this shim');
}
Request.prototype._setResponse = function (response) {
  const failure = response && gatewayFailure(response.statusCode, response.source);
  if (failure) {
    response.source = failure.body;
    response.code(failure.statusCode);
    response.type('application/json');
  }
  return setResponse.call(this, response);
};

module.exports = { gatewayFailure };
