import type { MiddlewareObj } from '@middy/core';
import { authenticateRequest } from '../../auth/request-auth.ts';
import type { HttpEvent, HttpRequest, HttpResponse } from '../types.ts';

/** Bearer token + request signature + single-use nonce, as the contract requires. */
export const authenticate = (): MiddlewareObj<HttpEvent, HttpResponse> => ({
  before: async (request) => {
    const r = request as unknown as HttpRequest;
    const session = await authenticateRequest({
      method: r.event.requestContext.http.method,
      path: r.event.rawPath,
      rawQuery: r.event.rawQueryString ?? '',
      headers: r.context.state.headers,
      rawBody: r.context.state.rawBody,
    });
    r.context.state.userId = session.userId;
    r.context.state.sessionId = session.sessionId;
    r.context.state.log = r.context.state.log.child({ userId: session.userId });
  },
});
