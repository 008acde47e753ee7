import type { MiddlewareObj } from '@middy/core';
import { config } from '../../config.ts';
import { AppError } from '../../errors.ts';
import type { HttpEvent, HttpRequest, HttpResponse } from '../types.ts';

/** Decodes the body to bytes (signatures cover the raw bytes) and enforces the size limit. */
export const rawBody = (): MiddlewareObj<HttpEvent, HttpResponse> => ({
  before: (request) => {
    const r = request as unknown as HttpRequest;
    const { body, isBase64Encoded } = r.event;
    const limit = config().MAX_BODY_BYTES;
    // Cheap upper bound before allocating: base64 is 4/3 of the bytes.
    const approx = body ? (isBase64Encoded ? Math.floor((body.length * 3) / 4) : Buffer.byteLength(body)) : 0;
    if (approx > limit) {
      throw new AppError('PAYLOAD_TOO_LARGE', `The request body exceeds ${limit} bytes.`, { limit });
    }
    r.context.state.rawBody = body ? Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  },
});
