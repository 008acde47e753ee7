import { FacegateClient, SealedResponseError, type Session } from '../../shared/client/client.ts';
import { ApiError, ok } from './errors.ts';
import { solveInWorker } from './pow.ts';

/**
 * The console's view of the API: the shared signing client plus readable errors. A session that the
 * API no longer accepts signs the user out (onSignedOut) instead of failing every screen.
 */
export class Api {
  onSignedOut: () => void = () => {};

  constructor(readonly client: FacegateClient) {}

  get baseUrl(): string {
    return this.client.baseUrl;
  }

  get session(): Session {
    return this.client.session!;
  }

  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string | number | undefined>,
  ): Promise<T> {
    const res = await this.client.request(method, path, { body, query }).catch((error: Error) => {
      throw error instanceof SealedResponseError
        ? new ApiError(0, 'BAD_PAYLOAD', error.message)
        : unreachable(this.baseUrl, error);
    });
    if (
      res.status === 401 &&
      (res.body as { error?: { code?: string } })?.error?.code === 'UNAUTHENTICATED'
    ) {
      this.onSignedOut();
    }
    return ok<T>(res);
  }

  get = <T = unknown>(path: string, query?: Record<string, string | number | undefined>) =>
    this.call<T>('GET', path, undefined, query);
  post = <T = unknown>(path: string, body?: unknown) => this.call<T>('POST', path, body ?? {});
  patch = <T = unknown>(path: string, body: unknown) => this.call<T>('PATCH', path, body);
  delete = (path: string) => this.call<void>('DELETE', path);
}

export const unreachable = (baseUrl: string, error: Error) =>
  new ApiError(
    0,
    'NETWORK_ERROR',
    `Cannot reach the API at ${baseUrl} (${error.message}). Is it running, and does it allow this origin (CORS)?`,
  );

/**
 * POST /v1/auth/session with a wx.login code (locally `test:<name>`); sign-in itself is never sealed. The
 * client solves any proof of work the API asks for (428, here and on GET /v1/captcha) in a Web Worker and
 * retries once.
 */
export async function signIn(baseUrl: string, code: string, encryptPayloads: boolean): Promise<Api> {
  const client = new FacegateClient(baseUrl, undefined, { encryptPayloads, powSolver: solveInWorker });
  const res = await client.request('POST', '/v1/auth/session', { body: { code } }).catch((error: Error) => {
    throw unreachable(baseUrl, error);
  });
  client.session = ok<Session>(res);
  return new Api(client);
}
