import { z } from 'zod';
import { LIVENESS_LEVELS } from '../shared/face/liveness.ts';
import { api } from '../shared/http/api.ts';
import { createSession, MAX_FRAMES } from '../shared/liveness/sessions.ts';

const body = z.object({ level: z.enum(LIVENESS_LEVELS).default('NORMAL') });

export const handler = api({ auth: 'user', limit: 'face', body }, async ({ userId, body }) => {
  const session = await createSession(userId, body.level);
  return {
    status: 201,
    body: {
      sessionId: session.sessionId,
      level: session.level,
      challenge: { actions: session.actions },
      expiresAt: new Date(session.expiresAt).toISOString(),
      maxFrames: MAX_FRAMES,
    },
  };
});
