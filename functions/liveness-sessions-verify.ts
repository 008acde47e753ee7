import { z } from 'zod';
import { api } from '../shared/http/api.ts';
import { decodeFrames } from '../shared/liveness/frames.ts';
import { MAX_FRAMES } from '../shared/liveness/sessions.ts';
import { verifySession } from '../shared/liveness/verify.ts';

const body = z.object({
  frames: z
    .array(
      z.object({
        image: z.string().min(1, 'must not be empty'),
        t: z.number().finite().min(0).max(600_000),
      }),
    )
    .min(3)
    .max(MAX_FRAMES),
});
const params = z.object({ sessionId: z.string() });

export const handler = api(
  { auth: 'user', limit: 'face', body, params, audit: 'liveness' },
  async ({ userId, body, params }) => {
    const result = await verifySession(userId, params.sessionId, await decodeFrames(body.frames));
    return { body: result, audit: { result: result.live ? 'live' : 'not_live' } };
  },
);
