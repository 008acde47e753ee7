import type { MiddlewareObj } from '@middy/core';
import { signingKeyFor } from '../../auth/tokens.ts';
import { PAYLOAD_ALGORITHM, PAYLOAD_ENCRYPTION_HEADER } from '../../client/sealed.ts';
import { openPayload, payloadKey, sealPayload } from '../../crypto/payload.ts';
import { AppError } from '../../errors.ts';
import type { HttpEvent, HttpRequest, HttpResponse } from '../types.ts';

/**
 * Optional payload encryption (api-v1.md): a request with `X-Payload-Encryption: aes-256-gcm` is sealed,
 * and so is its response. Two halves, because opening needs the session (after authentication: the
 * signature covers the body as sent, sealed) while sealing must come last, after the error mapping of
 * requestContext, so that error bodies are sealed too.
 */

/** After authentication: opens a sealed body into the plain JSON that validation reads. */
export const openSealedRequest = (): MiddlewareObj<HttpEvent, HttpResponse> => ({
  before: (request) => {
    const { state } = (request as unknown as HttpRequest).context;
    const algorithm = state.headers[PAYLOAD_ENCRYPTION_HEADER.toLowerCase()];
    if (algorithm === undefined) return;
    if (algorithm.trim().toLowerCase() !== PAYLOAD_ALGORITHM)
      throw new AppError('BAD_PAYLOAD', `${PAYLOAD_ENCRYPTION_HEADER} must be ${PAYLOAD_ALGORITHM}.`);
    const key = payloadKey(signingKeyFor(state.sessionId!));
    // A request without a body (GET, DELETE) only asks for a sealed response.
    if (state.rawBody.length > 0) state.rawBody = openPayload(key, state.rawBody.toString('utf8'));
    state.payloadKey = key;
  },
});

/**
 * Outermost: seals every response with a body once its request was opened, errors included. What is
 * answered before that (401, 413, BAD_PAYLOAD itself) and bodiless responses (204) stay plain.
 */
export const sealResponses = (): MiddlewareObj<HttpEvent, HttpResponse> => {
  const seal = (request: unknown) => {
    const r = request as HttpRequest;
    const key = r.context.state?.payloadKey;
    const res = r.response;
    if (!key || !res?.body) return;
    res.body = JSON.stringify(sealPayload(key, Buffer.from(res.body, 'utf8')));
    res.headers = {
      ...res.headers,
      'Content-Type': 'application/json',
      [PAYLOAD_ENCRYPTION_HEADER]: PAYLOAD_ALGORITHM,
    };
  };
  return { after: seal, onError: seal };
};
