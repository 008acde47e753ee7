import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Request } from '@middy/core';
import type { Logger } from '../log.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResponse = APIGatewayProxyStructuredResultV2;

/** What the middlewares learn about a request; it travels on the Lambda context object. */
export interface RequestState {
  requestId: string;
  log: Logger;
  startedAt: number;
  /** The body as received; for a sealed request, once opened, its plaintext. */
  rawBody: Buffer;
  headers: Record<string, string | undefined>;
  userId?: string;
  /** The authenticated session (its signing key derives the payload key). */
  sessionId?: string;
  /** Set once a sealed request (X-Payload-Encryption) was opened: its response is sealed with it. */
  payloadKey?: Buffer;
  /** Headers every response of this request carries, e.g. rate-limit state. */
  responseHeaders: Record<string, string>;
}

export interface ApiContext extends Context {
  state: RequestState;
}

export type HttpRequest = Request<HttpEvent, HttpResponse, Error, ApiContext>;

/** What a handler returns; `body` is serialised as JSON. */
export interface HttpResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** For audited operations: what to record besides the action (defaults: the path's resource, `ok`). */
  audit?: { resource?: string; result?: string };
}
