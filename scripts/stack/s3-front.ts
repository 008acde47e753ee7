import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

/**
 * A policy-enforcing front for the local S3 emulator. s3rver accepts anonymous requests, does not check
 * SigV4 signatures and ignores a presigned POST's policy, so no test could notice a regression of the
 * key, content-type or length conditions. This front sits on the S3 port the API, the console and the
 * tests use, forwards what S3 would accept to s3rver unchanged, and refuses the rest the way S3 does:
 *
 * - browser POST uploads (multipart/form-data to the bucket): the policy's SigV4 signature, its
 *   expiration and every condition (`{"field": value}`, `eq`, `starts-with`, `content-length-range`,
 *   bucket, key, Content-Type, x-amz-*), and no form field that no condition covers (S3's rules);
 * - every other request (GET, list, HEAD, PUT, DELETE, multipart calls): a SigV4 `Authorization`
 *   header or a presigned query (X-Amz-Signature), verified against the local credentials, with the
 *   clock skew (15 min), the presigned expiry and a hex `x-amz-content-sha256` checked;
 * - CORS preflights (OPTIONS) pass unsigned, as on S3.
 *
 * Errors are S3's XML with S3's codes and messages (AccessDenied, SignatureDoesNotMatch,
 * EntityTooLarge, EntityTooSmall, ...). Not covered: SigV2, chunked payload signatures (aws-chunked
 * bodies are forwarded as S3 would accept them), bucket policies and ACLs (everything is private).
 */

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export class S3Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const accessDenied = (message = 'Access Denied') => new S3Refusal(403, 'AccessDenied', message);
const signatureMismatch = () =>
  new S3Refusal(
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  );
const policyFailed = (why: string) => accessDenied(`Invalid according to Policy: ${why}`);

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

const sameHex = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** RFC 3986 encoding as SigV4 wants it. */
const uriEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** `20240101T000000Z` -> epoch ms, or NaN. */
export function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

interface Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

function parseCredential(value: string | undefined, creds: Credentials): Scope {
  const parts = (value ?? '').split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1]!)) {
    throw new S3Refusal(
      400,
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; the Credential is mal-formed.',
    );
  }
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  if (accessKeyId !== creds.accessKeyId) {
    throw new S3Refusal(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  }
  return { accessKeyId, date, region, service };
}

/** Raw query pairs, decoded; a name without `=` has the empty value. */
function queryPairs(rawQuery: string): [string, string][] {
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const i = part.indexOf('=');
      return i < 0 ? [decode(part), ''] : [decode(part.slice(0, i)), decode(part.slice(i + 1))];
    });
}

export interface IncomingSigned {
  method: string;
  /** Request target as sent: path and query. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const header = (headers: http.IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/**
 * Verifies a SigV4-signed request (Authorization header or presigned query). Throws S3Refusal;
 * returns normally when S3 would accept the signature.
 */
export function verifySigV4(req: IncomingSigned, creds: Credentials, now = Date.now()): void {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
  const pairs = queryPairs(rawQuery);
  const query = new Map(pairs);
  const authorization = header(req.headers, 'authorization');

  let scope: Scope;
  let signedHeaders: string[];
  let signature: string;
  let amzDate: string;
  let payloadHash: string;
  let canonicalPairs = pairs;

  if (authorization !== undefined) {
    if (query.has('X-Amz-Signature')) {
      throw new S3Refusal(400, 'InvalidArgument', 'Only one auth mechanism allowed');
    }
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
        authorization.trim(),
      );
    if (!m) {
      throw new S3Refusal(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed.');
    }
    scope = parseCredential(m[1], creds);
    signedHeaders = m[2]!.split(';');
    signature = m[3]!;
    amzDate = header(req.headers, 'x-amz-date') ?? '';
    const at = parseAmzDate(amzDate);
    if (Number.isNaN(at)) throw accessDenied('AWS authentication requires a valid Date or x-amz-date header');
    if (Math.abs(now - at) > 15 * 60_000) {
      throw new S3Refusal(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
      );
    }
    payloadHash = header(req.headers, 'x-amz-content-sha256') ?? '';
    if (!payloadHash) {
      throw new S3Refusal(
        400,
        'InvalidRequest',
        'Missing required header for this request: x-amz-content-sha256',
      );
    }
  } else if (query.has('X-Amz-Signature')) {
    if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') {
      throw new S3Refusal(
        400,
        'AuthorizationQueryParametersError',
        'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
      );
    }
    scope = parseCredential(query.get('X-Amz-Credential'), creds);
    signedHeaders = (query.get('X-Amz-SignedHeaders') ?? '').split(';');
    signature = query.get('X-Amz-Signature') ?? '';
    amzDate = query.get('X-Amz-Date') ?? '';
    const at = parseAmzDate(amzDate);
    const expires = Number(query.get('X-Amz-Expires'));
    if (Number.isNaN(at) || !Number.isInteger(expires) || expires < 1 || expires > 604800) {
      throw new S3Refusal(
        400,
        'AuthorizationQueryParametersError',
        'X-Amz-Date and X-Amz-Expires must be valid.',
      );
    }
    if (now > at + expires * 1000) throw accessDenied('Request has expired');
    if (at - now > 15 * 60_000) throw accessDenied('Request is not valid yet');
    payloadHash =
      query.get('X-Amz-Content-Sha256') ?? header(req.headers, 'x-amz-content-sha256') ?? 'UNSIGNED-PAYLOAD';
    canonicalPairs = pairs.filter(([k]) => k !== 'X-Amz-Signature');
  } else {
    throw accessDenied();
  }

  if (!signedHeaders.includes('host')) throw accessDenied('Host must be a signed header');
  if (/^[0-9a-f]{64}$/.test(payloadHash) && sha256Hex(req.body) !== payloadHash) {
    throw new S3Refusal(
      400,
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }

  const canonicalQuery = canonicalPairs
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${(header(req.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  // S3 signs the path as sent (already URI-encoded once; no normalisation, no double encoding).
  const canonicalRequest = [
    req.method,
    path,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const credentialScope = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const expected = createHmac(
    'sha256',
    signingKey(creds.secretAccessKey, scope.date, scope.region, scope.service),
  )
    .update(stringToSign)
    .digest('hex');
  if (!sameHex(expected, signature)) throw signatureMismatch();
}

export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Parses a multipart/form-data body (RFC 7578), enough for S3 browser uploads. */
export function parseMultipart(body: Buffer, contentType: string): FormPart[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary)
    throw new S3Refusal(
      400,
      'MalformedPOSTRequest',
      'The body of your POST request is not well-formed multipart/form-data.',
    );
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let start = body.indexOf(delimiter);
  if (start < 0)
    throw new S3Refusal(
      400,
      'MalformedPOSTRequest',
      'The body of your POST request is not well-formed multipart/form-data.',
    );
  for (;;) {
    start += delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break; // closing delimiter
    start += 2; // CRLF after the delimiter
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    if (next < 0)
      throw new S3Refusal(
        400,
        'MalformedPOSTRequest',
        'The body of your POST request is not well-formed multipart/form-data.',
      );
    const part = body.subarray(start, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0)
      throw new S3Refusal(
        400,
        'MalformedPOSTRequest',
        'The body of your POST request is not well-formed multipart/form-data.',
      );
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const type = /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim();
    if (name !== undefined) {
      parts.push({
        name,
        data: part.subarray(headerEnd + 4),
        ...(filename !== undefined ? { filename } : {}),
        ...(type ? { contentType: type } : {}),
      });
    }
    start = next + 2;
  }
  return parts;
}

type Condition = Record<string, unknown> | unknown[];

/** Form fields that need no condition (S3: "except x-amz-signature, file, policy, and x-ignore-*"). */
const exempt = (name: string) =>
  ['policy', 'x-amz-signature', 'file'].includes(name) || name.startsWith('x-ignore-');

/**
 * Checks a browser-based upload (POST Object) as S3 does: signature over the base64 policy, its
 * expiration, every condition, and that each form field is covered by a condition. Returns normally
 * when S3 would accept the upload.
 */
export function verifyPostPolicy(
  bucket: string,
  parts: FormPart[],
  creds: Credentials,
  now = Date.now(),
): void {
  const fields = new Map<string, string>();
  let file: FormPart | undefined;
  for (const part of parts) {
    const name = part.name.toLowerCase();
    if (name === 'file') {
      file = part;
      break; // S3 ignores fields after the file
    }
    if (fields.has(name))
      throw new S3Refusal(
        400,
        'InvalidArgument',
        `POST requires exactly one value for the field ${part.name}`,
      );
    fields.set(name, part.data.toString('utf8'));
  }
  const policyB64 = fields.get('policy');
  if (policyB64 === undefined) throw accessDenied(); // anonymous POST to a private bucket
  if (!file)
    throw new S3Refusal(400, 'InvalidArgument', 'POST requires exactly one file upload per request.');
  if (fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') {
    throw new S3Refusal(
      400,
      'InvalidArgument',
      'Bucket POST must contain a field named x-amz-algorithm with the value AWS4-HMAC-SHA256.',
    );
  }
  const signature = fields.get('x-amz-signature');
  if (!signature) throw accessDenied("Bucket POST must contain a field named 'x-amz-signature'.");
  const scope = parseCredential(fields.get('x-amz-credential'), creds);
  const expected = createHmac(
    'sha256',
    signingKey(creds.secretAccessKey, scope.date, scope.region, scope.service),
  )
    .update(policyB64)
    .digest('hex');
  if (!sameHex(expected, signature)) throw signatureMismatch();

  let policy: { expiration?: unknown; conditions?: unknown };
  try {
    policy = JSON.parse(Buffer.from(policyB64, 'base64').toString('utf8')) as typeof policy;
  } catch {
    throw new S3Refusal(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
  }
  const expiration = typeof policy.expiration === 'string' ? Date.parse(policy.expiration) : NaN;
  if (Number.isNaN(expiration))
    throw new S3Refusal(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid expiration.');
  if (now >= expiration) throw policyFailed('Policy expired.');
  if (!Array.isArray(policy.conditions))
    throw new S3Refusal(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid conditions.');

  // ${filename} in the key is replaced by the file's name (S3 does the same before checking).
  const key = fields.get('key');
  if (key === undefined)
    throw new S3Refusal(400, 'InvalidArgument', "Bucket POST must contain a field named 'key'.");
  fields.set('key', key.replace('${filename}', file.filename ?? ''));
  const values = new Map(fields);
  values.set('bucket', bucket);

  const covered = new Set<string>();
  const failed = (condition: Condition) =>
    policyFailed(`Policy Condition failed: ${JSON.stringify(condition)}`);
  for (const condition of policy.conditions as Condition[]) {
    if (!Array.isArray(condition)) {
      if (typeof condition !== 'object' || condition === null)
        throw new S3Refusal(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid Condition.');
      for (const [name, value] of Object.entries(condition)) {
        covered.add(name.toLowerCase());
        if (values.get(name.toLowerCase()) !== value) throw failed(['eq', `$${name}`, value]);
      }
      continue;
    }
    const [op, a, b] = condition as [unknown, unknown, unknown];
    const opName = String(op).toLowerCase();
    if (opName === 'content-length-range') {
      const [min, max] = [Number(a), Number(b)];
      if (file.data.length > max)
        throw new S3Refusal(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
      if (file.data.length < min)
        throw new S3Refusal(
          400,
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed size',
        );
      continue;
    }
    if (
      (opName !== 'eq' && opName !== 'starts-with') ||
      typeof a !== 'string' ||
      !a.startsWith('$') ||
      typeof b !== 'string'
    ) {
      throw new S3Refusal(
        400,
        'InvalidPolicyDocument',
        `Invalid Policy: Invalid Condition: ${JSON.stringify(condition)}`,
      );
    }
    const name = a.slice(1).toLowerCase();
    covered.add(name);
    const value = values.get(name);
    const ok =
      value !== undefined &&
      (opName === 'eq'
        ? value === b
        : name === 'content-type'
          ? value.split(',').every((v) => v.trim().startsWith(b)) // a list of types, each must match
          : value.startsWith(b));
    if (!ok) throw failed(condition);
  }
  const extra = [...fields.keys()].filter((name) => !exempt(name) && !covered.has(name));
  if (extra.length > 0) throw policyFailed(`Extra input fields: ${extra.join(', ')}`);
}

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function refuse(
  res: http.ServerResponse,
  origin: string | undefined,
  error: S3Refusal,
  resource: string,
): void {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${xmlEscape(error.message)}</Message>` +
    `<Resource>${xmlEscape(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`;
  res.writeHead(error.status, {
    'Content-Type': 'application/xml',
    'x-amz-request-id': requestId,
    // Like S3 with a matching CORS rule, so a browser can read why its upload was refused.
    ...(origin ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {}),
  });
  res.end(body);
}

/** Largest request body the front buffers (multipart parts are at most 5 GiB on S3; ours are small). */
const MAX_BUFFERED_BYTES = 128 * 1024 * 1024;

export interface FrontOptions {
  port: number;
  address: string;
  backend: { host: string; port: number };
  credentials: Credentials;
}

/** Starts the front; resolves to the listening server. */
export function startS3Front(options: FrontOptions): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BUFFERED_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const origin = header(req.headers, 'origin');
      const url = req.url ?? '/';
      const path = url.split('?')[0]!;
      try {
        if (tooLarge)
          throw new S3Refusal(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
        const body = Buffer.concat(chunks);
        const method = req.method ?? 'GET';
        const contentType = header(req.headers, 'content-type') ?? '';
        const segments = path.split('/').filter(Boolean);
        if (method === 'OPTIONS') {
          // CORS preflight: unsigned on S3 too; s3rver answers it from the bucket's CORS rules.
        } else if (method === 'POST' && segments.length === 1 && /^multipart\/form-data/i.test(contentType)) {
          verifyPostPolicy(decode(segments[0]!), parseMultipart(body, contentType), options.credentials);
        } else {
          verifySigV4({ method, url, headers: req.headers, body }, options.credentials);
        }
        forward(req, res, body, options.backend);
      } catch (e) {
        if (e instanceof S3Refusal) refuse(res, origin, e, path);
        else
          refuse(
            res,
            origin,
            new S3Refusal(500, 'InternalError', 'We encountered an internal error. Please try again.'),
            path,
          );
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.address, () => resolve(server));
  });
}

function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer,
  backend: FrontOptions['backend'],
): void {
  const headers = { ...req.headers, 'content-length': String(body.length) };
  delete headers['transfer-encoding'];
  const upstream = http.request(
    { host: backend.host, port: backend.port, method: req.method, path: req.url, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent)
      refuse(
        res,
        undefined,
        new S3Refusal(503, 'ServiceUnavailable', 'Please reduce your request rate.'),
        req.url ?? '/',
      );
    else res.destroy();
  });
  upstream.end(body);
}
