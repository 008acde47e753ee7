import type { MiddlewareObj } from '@middy/core';
import { consumeFaceRequest } from '../../limits/face-limits.ts';
import type { HttpEvent, HttpRequest, HttpResponse } from '../types.ts';

/** Face endpoints: per-minute rate limit and daily quotas, with X-RateLimit-* on every response. */
export const faceLimit = (): MiddlewareObj<HttpEvent, HttpResponse> => ({
  before: async (request) => {
    const r = request as unknown as HttpRequest;
    const { headers } = await consumeFaceRequest(r.context.state.userId!);
    Object.assign(r.context.state.responseHeaders, headers);
  },
});
