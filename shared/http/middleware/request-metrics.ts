import type { MiddlewareObj } from '@middy/core';
import { beginRequest, flushMetrics, recordRequest } from '../../metrics.ts';
import type { HttpEvent, HttpRequest, HttpResponse } from '../types.ts';

/**
 * Outermost middleware: once the response is final (after the request context turned any error into
 * one), records Requests, Latency, 4xx and 5xx for the endpoint and writes this invocation's metrics.
 * The endpoint is the route key (`POST /v1/persons/{personId}`), never the raw path, so that ids do not
 * become dimensions.
 */
export const requestMetrics = (): MiddlewareObj<HttpEvent, HttpResponse> => {
  const startedAt = new WeakMap<object, number>();
  const record = (request: unknown) => {
    const r = request as HttpRequest;
    const began = startedAt.get(r.event) ?? Date.now();
    recordRequest(endpointOf(r.event), r.response?.statusCode ?? 500, Date.now() - began);
    flushMetrics();
  };
  return {
    before: (request) => {
      startedAt.set(request.event, Date.now());
      // The same id as X-Request-Id (request-context.ts): Lambda's invocation id.
      if (request.context.awsRequestId) beginRequest(request.context.awsRequestId);
    },
    after: record,
    onError: record,
  };
};

function endpointOf(event: HttpEvent): string {
  const routeKey = event.routeKey;
  if (routeKey && routeKey !== '$default') return routeKey;
  // The catch-all route (`$default`, the not-found function) gets one name, whatever the path.
  return routeKey === '$default' ? 'ANY *' : `${event.requestContext?.http?.method ?? 'ANY'} unknown`;
}
