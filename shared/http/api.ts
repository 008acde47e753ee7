import middy from '@middy/core';
import type { z } from 'zod';
import type { Logger } from '../log.ts';
import { authenticate } from './middleware/authenticate.ts';
import { faceLimit } from './middleware/face-limit.ts';
import { rawBody } from './middleware/raw-body.ts';
import { requestContext } from './middleware/request-context.ts';
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
 * body limit, authentication, face limits and zod validation, then calls `fn` with typed input.
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
  const chain = middy<HttpEvent, HttpResponse, Error, ApiContext>().use(requestContext()).use(rawBody());
  if (options.auth === 'user') chain.use(authenticate());
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
    const result = await fn(req);
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
