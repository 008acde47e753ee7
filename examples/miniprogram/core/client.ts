/**
 * The mini-program's facegate client. WeChat has neither fetch nor Web Crypto, so requests go through
 * a Transport (wx.request / wx.uploadFile in the app, fetch in the Node tests) and are signed with
 * the pure-JS HMAC of sha256.ts over the string from shared/client/canonical.ts, the same function
 * the server verifies with; payloads can be sealed with sealed.ts. Bundled into lib/facegate.js by
 * build.ts.
 */
import { parseQuery, stringToSign } from '../../../shared/client/canonical.ts';
import {
  IV_BYTES,
  PAYLOAD_ALGORITHM,
  PAYLOAD_ENCRYPTION_HEADER,
  sealable,
} from '../../../shared/client/sealed.ts';
import { openText, payloadKey, sealText } from './sealed.ts';
import { POW_HEADER, powChallengeOf, solvePow } from '../../../shared/client/pow-solver.ts';
import { hmacSha256Hex, sha256Hex } from './sha256.ts';

export interface Session {
  token: string;
  signingKey: string;
  userId: string;
  expiresAt: string;
}

export interface TransportResponse {
  status: number;
  /** Parsed JSON when the response was JSON, else the text. */
  body: unknown;
  /** Response headers (any case), as wx.request's `header`. */
  headers: Record<string, string>;
}

export interface Transport {
  request(req: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
  }): Promise<TransportResponse>;
  /** multipart/form-data POST of a local file: `fields` first, then the file as `file`. */
  uploadFile(
    req: { url: string; filePath: string; fields: Record<string, string> },
    onProgress?: (percent: number) => void,
  ): Promise<{ status: number; body: string }>;
  /** Cryptographically secure random bytes (wx.getRandomValues): the IVs of sealed payloads. */
  randomBytes(length: number): Promise<Uint8Array>;
}

/** An API error with the contract's code and message. */
export class FacegateError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'FacegateError';
  }
}

/** Nonces must be unique, not secret: time plus Math.random is enough (api-v1.md: 16-64 of [A-Za-z0-9_-]). */
export function newNonce(): string {
  let nonce = Date.now().toString(36);
  while (nonce.length < 32) nonce += Math.floor(Math.random() * 36).toString(36);
  return nonce;
}

/** The Authorization and signature headers for one request; `body` is the exact string sent. */
export function signedHeaders(
  session: Pick<Session, 'token' | 'signingKey'>,
  req: { method: string; path: string; query?: string; body?: string; timestamp?: number; nonce?: string },
): Record<string, string> {
  const timestamp = String(req.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = req.nonce ?? newNonce();
  const signature = hmacSha256Hex(
    session.signingKey,
    stringToSign({
      method: req.method,
      path: req.path,
      query: parseQuery(req.query ?? ''),
      timestamp,
      nonce,
      bodySha256Hex: sha256Hex(req.body ?? ''),
    }),
  );
  return {
    Authorization: `Bearer ${session.token}`,
    'X-Timestamp': timestamp,
    'X-Nonce': nonce,
    'X-Signature': signature,
  };
}

const rfcQuery = (query: Record<string, string | number | undefined> = {}) =>
  Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');

const headerOf = (headers: Record<string, string>, name: string) =>
  Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

export class MiniClient {
  #payloadKey?: { signingKey: string; key: Uint8Array };

  constructor(
    /** API origin, e.g. https://api.example.com (paths start with /v1). */
    readonly baseUrl: string,
    readonly transport: Transport,
    public session?: Session,
    /**
     * Seal request bodies and have responses sealed (`X-Payload-Encryption: aes-256-gcm`, api-v1.md), with
     * a key derived from the session's signing key; sign-in and other sessionless calls stay plain.
     */
    public encryptPayloads = false,
  ) {}

  /**
   * Exchanges a wx.login code for a session (locally `test:<name>`). Pass a function that calls
   * wx.login: when the API asks for a proof of work it is solved here and the sign-in retried with a
   * fresh code, since a code the API already showed to WeChat is spent.
   */
  async login(code: string | (() => Promise<string>)): Promise<Session> {
    const nextCode = typeof code === 'string' ? async () => code : code;
    this.session = undefined;
    this.session = await this.call<Session>('POST', '/v1/auth/session', {
      body: { code: await nextCode() },
      retryBody: async () => ({ code: await nextCode() }),
    });
    return this.session;
  }

  /**
   * One API call. A 428 POW_REQUIRED is solved in JavaScript (shared/client/pow-solver.ts) and the
   * call sent once more with the solution, and with `retryBody()` as its body when given.
   */
  async call<T = unknown>(
    method: string,
    path: string,
    opts: {
      query?: Record<string, string | number | undefined>;
      body?: unknown;
      retryBody?: () => Promise<unknown>;
    } = {},
  ): Promise<T> {
    let res = await this.send(method, path, opts.query, opts.body);
    const challenge = powChallengeOf(res.status, res.body);
    if (challenge) {
      const solution = await solvePow(challenge);
      const body = opts.retryBody ? await opts.retryBody() : opts.body;
      res = await this.send(method, path, opts.query, body, { [POW_HEADER]: solution });
    }
    const resBody = res.body;
    if (res.status >= 200 && res.status < 300) return resBody as T;
    const error = (
      resBody as { error?: { code?: string; message?: string; details?: Record<string, unknown> } }
    )?.error;
    throw new FacegateError(
      res.status,
      error?.code ?? `HTTP_${res.status}`,
      error?.message ?? `HTTP ${res.status}`,
      error?.details,
    );
  }

  /** One signed request; its body sealed, and the answer's opened, when payloads are encrypted. */
  private async send(
    method: string,
    path: string,
    queryParams: Record<string, string | number | undefined> | undefined,
    json: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<TransportResponse> {
    const query = rfcQuery(queryParams);
    let body = json === undefined ? undefined : JSON.stringify(json);
    const headers: Record<string, string> = body === undefined ? {} : { 'Content-Type': 'application/json' };
    const key = this.session && this.encryptPayloads && sealable(path) ? this.payloadKey() : undefined;
    if (key) {
      headers[PAYLOAD_ENCRYPTION_HEADER] = PAYLOAD_ALGORITHM;
      if (body !== undefined)
        body = JSON.stringify(sealText(key, body, await this.transport.randomBytes(IV_BYTES)));
    }
    // The signature covers the body as sent: sealed, when it is.
    if (this.session) Object.assign(headers, signedHeaders(this.session, { method, path, query, body }));
    const res = await this.transport.request({
      method,
      url: `${this.baseUrl}${path}${query ? `?${query}` : ''}`,
      headers: { ...headers, ...extraHeaders },
      body,
    });
    return key ? { ...res, body: opened(key, res) } : res;
  }

  private payloadKey(): Uint8Array {
    const { signingKey } = this.session!;
    if (this.#payloadKey?.signingKey !== signingKey)
      this.#payloadKey = { signingKey, key: payloadKey(signingKey) };
    return this.#payloadKey.key;
  }

  /**
   * Uploads a local image straight to S3 (presigned POST, up to 10 MB) and validates it; the returned
   * uploadId stands in for the image in detect, search, compare and enrolment.
   */
  async uploadImage(
    file: { path: string; size: number; contentType: 'image/jpeg' | 'image/png' | 'image/webp' },
    onProgress?: (percent: number) => void,
  ): Promise<{ uploadId: string; width: number; height: number }> {
    const ticket = await this.call<{
      uploadId: string;
      method: string;
      url: string;
      fields: Record<string, string>;
    }>('POST', '/v1/uploads', { body: { contentType: file.contentType, size: file.size } });
    if (ticket.method !== 'POST')
      throw new FacegateError(413, 'PAYLOAD_TOO_LARGE', 'Photos over 10 MB are not supported here.');
    const sent = await this.transport.uploadFile(
      { url: ticket.url, filePath: file.path, fields: ticket.fields },
      onProgress,
    );
    if (sent.status < 200 || sent.status > 299) {
      const message = /<Message>([^<]*)<\/Message>/.exec(sent.body)?.[1] ?? `HTTP ${sent.status}`;
      throw new FacegateError(sent.status, 'UPLOAD_FAILED', `The storage refused the upload: ${message}`);
    }
    const upload = await this.call<{ status: string; reason?: string; width: number; height: number }>(
      'POST',
      `/v1/uploads/${ticket.uploadId}/complete`,
      { body: {} },
    );
    if (upload.status !== 'validated') {
      throw new FacegateError(
        422,
        'UPLOAD_REJECTED',
        `The photo was rejected: ${upload.reason ?? 'unknown reason'}.`,
      );
    }
    return { uploadId: ticket.uploadId, width: upload.width, height: upload.height };
  }
}

/**
 * The body of the response to a sealed request, opened. What the API answers before it opened the
 * request (401, 413, 400 BAD_PAYLOAD) is plain by design; a plain success is refused, not trusted.
 */
function opened(key: Uint8Array, res: TransportResponse): unknown {
  if (!headerOf(res.headers, PAYLOAD_ENCRYPTION_HEADER)) {
    if (res.status >= 200 && res.status < 300 && res.body !== undefined && res.body !== '')
      throw new FacegateError(502, 'BAD_PAYLOAD', 'The API answered a sealed request in plain.');
    return res.body;
  }
  const text = openText(key, typeof res.body === 'string' ? res.body : JSON.stringify(res.body));
  if (text === undefined)
    throw new FacegateError(
      502,
      'BAD_PAYLOAD',
      "The API's sealed answer does not open with this session's key.",
    );
  return text ? JSON.parse(text) : undefined;
}
