/**
 * Typed facegate API client that signs every request as api-v1.md requires, and optionally seals the
 * payloads. Runs wherever `fetch` and Web Crypto exist (Node 20+, browsers); the mini-program has its
 * own client (examples/miniprogram/core).
 */
import { parseQuery, stringToSign } from './canonical.ts';
import { PAYLOAD_ALGORITHM, PAYLOAD_ENCRYPTION_HEADER, sealable } from './sealed.ts';
import { hmacSha256Hex, openPayload, payloadKey, randomNonce, sealPayload, sha256Hex } from './webcrypto.ts';
import { POW_HEADER, powChallengeOf, solvePow, type PowChallenge } from './pow-solver.ts';

export interface Session {
  token: string;
  signingKey: string;
  userId: string;
  expiresAt: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body; callers narrow it
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Extra headers, applied after signing (tests use this to tamper). */
  headers?: Record<string, string>;
  /** Fixed values instead of "now" and a random nonce (tests and replays). */
  timestamp?: number;
  nonce?: string;
  /** false: return a 428 POW_REQUIRED as is instead of solving it and retrying once (tests). */
  solvePow?: boolean;
}

export interface SignInput {
  method: string;
  path: string;
  query: [string, string][];
  body: Uint8Array;
  signingKey: string;
  timestamp?: number;
  nonce?: string;
}

/** The X-Timestamp, X-Nonce and X-Signature headers for one request. */
export async function signatureHeaders(input: SignInput): Promise<Record<string, string>> {
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = input.nonce ?? randomNonce();
  const signature = await hmacSha256Hex(
    input.signingKey,
    stringToSign({
      method: input.method,
      path: input.path,
      query: input.query,
      timestamp,
      nonce,
      bodySha256Hex: await sha256Hex(input.body),
    }),
  );
  return { 'X-Timestamp': timestamp, 'X-Nonce': nonce, 'X-Signature': signature };
}

export interface ClientOptions {
  /**
   * Seal every signed request's body and have the response sealed too (`X-Payload-Encryption:
   * aes-256-gcm`, api-v1.md): AES-256-GCM under a key derived from the session's signing key.
   * Responses come back opened; a plain success answer to a sealed request is refused.
   */
  encryptPayloads?: boolean;
  /** Solves a proof-of-work challenge into the X-Pow-Solution value (default: in this thread; the console uses a Web Worker). */
  powSolver?: (challenge: PowChallenge) => Promise<string>;
}

/** A response to a sealed request that does not open, or came back plain where it must be sealed. */
export class SealedResponseError extends Error {
  override name = 'SealedResponseError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class FacegateClient {
  encryptPayloads: boolean;
  readonly powSolver: (challenge: PowChallenge) => Promise<string>;
  #payloadKey?: { signingKey: string; key: Promise<CryptoKey> };

  constructor(
    /** Origin of the API, e.g. `http://127.0.0.1:3000`; paths start with `/v1`. */
    readonly baseUrl: string,
    public session?: Session,
    options: ClientOptions = {},
  ) {
    this.encryptPayloads = options.encryptPayloads ?? false;
    this.powSolver = options.powSolver ?? solvePow;
  }

  /** Signs in with a wx.login code (locally `test:<name>`). Throws with the API's error otherwise. */
  static async login(baseUrl: string, code: string, options?: ClientOptions): Promise<FacegateClient> {
    const client = new FacegateClient(baseUrl, undefined, options);
    const res = await client.request('POST', '/v1/auth/session', { body: { code } });
    const session = res.body as Partial<Session> | undefined;
    if (res.status !== 200 || !session?.token || !session.signingKey) {
      throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
    client.session = session as Session;
    return client;
  }

  get = (path: string, opts?: RequestOptions) => this.request('GET', path, opts);
  post = (path: string, body?: unknown, opts?: RequestOptions) =>
    this.request('POST', path, { ...opts, body });
  patch = (path: string, body?: unknown, opts?: RequestOptions) =>
    this.request('PATCH', path, { ...opts, body });
  delete = (path: string, opts?: RequestOptions) => this.request('DELETE', path, opts);

  /**
   * Sends a request. A 428 POW_REQUIRED (GET /v1/captcha, POST /v1/auth/session under friction) is
   * solved and the request retried once with the solution, unless `opts.solvePow` is false.
   */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    const res = await this.send(method, path, opts);
    const challenge = opts.solvePow === false ? undefined : powChallengeOf(res.status, res.body);
    if (!challenge) return res;
    const solution = await this.powSolver(challenge);
    return this.send(method, path, { ...opts, headers: { ...opts.headers, [POW_HEADER]: solution } });
  }

  private async send(method: string, path: string, opts: RequestOptions): Promise<ApiResponse> {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) search.append(k, String(v));
    const rawQuery = search.toString();
    const plain = opts.body === undefined ? new Uint8Array() : encoder.encode(JSON.stringify(opts.body));
    const headers: Record<string, string> =
      opts.body === undefined ? {} : { 'Content-Type': 'application/json' };
    // The key comes from the session: sign-in and the other sessionless endpoints go plain.
    const key =
      this.session && this.encryptPayloads && sealable(path) ? await this.sessionPayloadKey() : undefined;
    let body = plain;
    if (key) {
      headers[PAYLOAD_ENCRYPTION_HEADER] = PAYLOAD_ALGORITHM;
      if (plain.length) body = encoder.encode(JSON.stringify(await sealPayload(key, plain)));
    }
    if (this.session) {
      headers.Authorization = `Bearer ${this.session.token}`;
      Object.assign(
        headers,
        await signatureHeaders({
          method,
          path,
          query: parseQuery(rawQuery),
          body,
          signingKey: this.session.signingKey,
          timestamp: opts.timestamp,
          nonce: opts.nonce,
        }),
      );
    }
    Object.assign(headers, opts.headers);
    const res = await fetch(`${this.baseUrl}${path}${rawQuery ? `?${rawQuery}` : ''}`, {
      method,
      headers,
      body: body.length ? body : undefined,
    });
    const text = key ? await opened(key, res) : await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Non-JSON bodies (e.g. a gateway error page) are returned as text.
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  private sessionPayloadKey(): Promise<CryptoKey> {
    const { signingKey } = this.session!;
    if (this.#payloadKey?.signingKey !== signingKey)
      this.#payloadKey = { signingKey, key: payloadKey(signingKey) };
    return this.#payloadKey.key;
  }
}

/**
 * The text of the response to a sealed request. What the API answers before it has opened the request
 * (401, 413, 400 BAD_PAYLOAD) is plain by design; a plain success is not, and is refused rather than
 * trusted (a proxy or an API without payload encryption).
 */
async function opened(key: CryptoKey, res: Response): Promise<string> {
  const text = await res.text();
  if (!res.headers.has(PAYLOAD_ENCRYPTION_HEADER)) {
    if (res.ok && text)
      throw new SealedResponseError(`The API answered a sealed request in plain (${res.status}).`);
    return text;
  }
  const plaintext = await openPayload(key, text);
  if (!plaintext)
    throw new Error(`The sealed response (${res.status}) does not open with the session's key.`);
  return decoder.decode(plaintext);
}
