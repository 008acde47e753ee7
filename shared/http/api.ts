import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { z } from 'zod';
import { recordAudit, type AuditAction } from '../audit/audit-log.ts';
import { config } from '../config.ts';
import { isAppError } from '../errors.ts';
import { rootLogger, type Logger } from '../log.ts';
import { authenticate } from './middleware/authenticate.ts';
import { faceLimit } from './middleware/face-limit.ts';
import { openSealedRequest, sealResponses } from './middleware/payload-encryption.ts';
import { rawBody } from './middleware/raw-body.ts';
import { requestContext } from './middleware/request-context.ts';
import { requestMetrics } from './middleware/request-metrics.ts';
import type { ApiContext, HttpEvent, HttpResponse, HttpResult } from './types.ts';
import { parseJsonBody, validate } from './validate.ts';

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface ApiOptions<B, Q, P, A> {
  /** 'user': bearer token and request signature; 'none': public endpoint. */
  auth: A;
  /** 'face': the face rate limit and daily quotas apply (after authentication). */
  limit?: 'face';
  body?: B;
  query?: Q;
  params?: P;
  /** A biometric operation: every call that reaches the handler is written to the caller's audit log. */
  audit?: AuditAction;
}

export interface ApiRequest<B, Q, P, U> {
  body: B;
  query: Q;
  params: P;
  userId: U;
  requestId: string;
  sourceIp: string;
  headers: Record<string, string | undefined>;
  log: Logger;
  rawBody: Buffer;
}

/**
 * Builds a Lambda handler for an HTTP API (payload v2) route: request id and logging, error model,
 * body limit, authentication, payload encryption, face limits and zod validation, then calls `fn`
 * with typed input.
 */
export function api<
  A extends 'user' | 'none',
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
>(
  options: ApiOptions<B, Q, P, A>,
  fn: (
    req: ApiRequest<Infer<B>, Infer<Q>, Infer<P>, A extends 'user' ? string : undefined>,
  ) => Promise<HttpResult>,
) {
  // Inside Lambda (and serverless-offline) a bad configuration fails the cold start, naming the fields in
  // the log, rather than every request with a 500. Elsewhere (OpenAPI generator, unit tests) it waits.
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) config();
  const signed = options.auth === 'user';
  // Metrics outermost (they see the final status), then the Lambda context for every log line
  // (function_request_id, cold_start, per-invocation debug sampling); sealing wraps the error model;
  // opening a sealed body needs the authenticated session.
  const chain = middy<HttpEvent, HttpResponse, Error, ApiContext>()
    .use(requestMetrics())
    .use(injectLambdaContext(rootLogger()));
  if (signed) chain.use(sealResponses());
  chain.use(requestContext()).use(rawBody());
  if (signed) chain.use(authenticate()).use(openSealedRequest());
  if (options.limit === 'face') chain.use(faceLimit());

  const handler = chain.handler(async (event, context) => {
    const { state } = context;
    const req = {
      body: (options.body
        ? validate(options.body, parseJsonBody(state.rawBody) ?? {}, 'body')
        : undefined) as Infer<B>,
      query: (options.query
        ? validate(options.query, event.queryStringParameters ?? {}, 'query')
        : undefined) as Infer<Q>,
      params: (options.params
        ? validate(options.params, event.pathParameters ?? {}, 'path')
        : undefined) as Infer<P>,
      userId: state.userId as A extends 'user' ? string : undefined,
      requestId: state.requestId,
      sourceIp: event.requestContext.http.sourceIp,
      headers: state.headers,
      log: state.log,
      rawBody: state.rawBody,
    };
    const result = options.audit ? await audited(options.audit, req, () => fn(req)) : await fn(req);
    const status = result.status ?? 200;
    return {
      statusCode: status,
      headers: {
        ...(result.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...result.headers,
      },
      body: result.body !== undefined ? JSON.stringify(result.body) : '',
    };
  });
  // The OpenAPI generator reads the same schemas that validate requests.
  return Object.assign(handler, { route: options as ApiOptions<z.ZodType, z.ZodType, z.ZodType, A> });
}

/** What an audit entry names when the handler does not say: the path's resource, else the image. */
function defaultResource(params: unknown): string {
  const p = (params ?? {}) as Record<string, string | undefined>;
  if (p.sessionId) return `liveness-session/${p.sessionId}`;
  if (p.personId) return p.faceId ? `person/${p.personId}/face/${p.faceId}` : `person/${p.personId}`;
  if (p.uploadId) return `upload/${p.uploadId}`;
  return 'image';
}

/**
 * Runs the handler and records the outcome in the same request: the handler's own result or `ok`, or the
 * error code when it failed. A failed audit write fails a successful request (503: nothing biometric goes
 * unrecorded); after a failed operation it is only logged, so the client still sees the real error.
 */
async function audited(
  action: AuditAction,
  req: { userId?: string; requestId: string; params: unknown; log: Logger },
  run: () => Promise<HttpResult>,
): Promise<HttpResult> {
  const userId = req.userId!;
  const entry = (result: string, resource?: string) => ({
    action,
    resource: resource ?? defaultResource(req.params),
    result,
    requestId: req.requestId,
  });
  let result: HttpResult;
  try {
    result = await run();
  } catch (e) {
    const code = isAppError(e) ? e.code : 'INTERNAL';
    await recordAudit(userId, entry(code)).catch((auditError: unknown) =>
      req.log.error('audit write failed', { action, error: String(auditError) }),
    );
    throw e;
  }
  await recordAudit(userId, entry(result.audit?.result ?? 'ok', result.audit?.resource));
  return result;
}
