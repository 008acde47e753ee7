import { randomUUID } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import { config } from '../../config.ts';
import { AppError, isAppError } from '../../errors.ts';
import { createLogger, enterRequestScope } from '../../log.ts';
import type { HttpEvent, HttpRequest, HttpResponse, RequestState } from '../types.ts';

function newState(requestId: string, headers: Record<string, string | undefined>): RequestState {
  return {
    requestId,
    log: createLogger({ requestId }),
    startedAt: Date.now(),
    headers,
    rawBody: Buffer.alloc(0),
    responseHeaders: {},
  };
}

/** Lambda's invocation id: unique per request and printed in every Lambda log line of it. */
const requestIdOf = (r: HttpRequest) => r.context?.awsRequestId || randomUUID();

function errorBody(error: AppError, requestId: string) {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      requestId,
    },
  };
}

/**
 * Outermost middleware: assigns the request id, logs one line per request, and turns any error
 * into the contract's error body. Unknown errors are logged with their stack and answered with a
 * generic 500, so nothing internal leaks to the client.
 */
export const requestContext = (): MiddlewareObj<HttpEvent, HttpResponse> => ({
  before: (request) => {
    const r = request as unknown as HttpRequest;
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(r.event.headers ?? {})) headers[k.toLowerCase()] = v;
    r.context.state = newState(requestIdOf(r), headers);
    // viaDependency and other code without a logger of their own log through the request's (state.log,
    // which gains the userId after authentication).
    enterRequestScope(r.context.state);
  },
  after: (request) => finish(request as unknown as HttpRequest),
  onError: (request) => {
    const r = request as unknown as HttpRequest;
    // Even a failure before `before` finished (e.g. invalid configuration) gets a proper answer.
    r.context.state ??= newState(requestIdOf(r), {});
    const e = r.error;
    const appError = isAppError(e) ? e : new AppError('INTERNAL', 'Something went wrong on our side.');
    if (!isAppError(e))
      r.context.state.log.error('unhandled error', { error: String(e), stack: (e as Error)?.stack });
    r.response = {
      statusCode: appError.status,
      headers: { 'Content-Type': 'application/json', ...appError.headers },
      body: JSON.stringify(errorBody(appError, r.context.state.requestId)),
    };
    finish(r, appError.code);
  },
});

function finish(r: HttpRequest, errorCode?: string) {
  const res = r.response ?? { statusCode: 204 };
  res.headers = {
    ...r.context.state.responseHeaders,
    ...res.headers,
    'X-Request-Id': r.context.state.requestId,
  };
  r.response = res;
  if (logRequests()) {
    r.context.state.log.info('request', {
      method: r.event.requestContext?.http?.method,
      path: r.event.rawPath,
      status: res.statusCode,
      ms: Date.now() - r.context.state.startedAt,
      userId: r.context.state.userId,
      ...(errorCode ? { errorCode } : {}),
    });
  }
}

function logRequests(): boolean {
  try {
    return config().LOG_REQUESTS;
  } catch {
    return true;
  }
}
