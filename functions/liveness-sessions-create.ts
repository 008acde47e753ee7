import { z } from 'zod';
import { LIVENESS_LEVELS } from '../shared/face/liveness.ts';
import { api } from '../shared/http/api.ts';
import { createSession, presentSession } from '../shared/liveness/sessions.ts';

const body = z.object({ level: z.enum(LIVENESS_LEVELS).default('NORMAL') });

export const handler = api({ auth: 'user', limit: 'face', body }, async ({ userId, body }) => ({
  status: 201,
  body: presentSession(await createSession(userId, body.level)),
}));
