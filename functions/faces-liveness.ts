import { z } from 'zod';
import { LIVENESS_LEVELS } from '../shared/face/liveness.ts';
import { livenessCheck } from '../shared/face-service/liveness.ts';
import { api } from '../shared/http/api.ts';
import { withImage } from '../shared/image-input.ts';

const body = withImage({ level: z.enum(LIVENESS_LEVELS).default('NORMAL') });

export const handler = api(
  { auth: 'user', limit: 'face', body, audit: 'liveness' },
  async ({ userId, body }) => {
    const result = await livenessCheck(userId, body, body.level);
    return { body: result, audit: { result: result.live ? 'live' : 'not_live' } };
  },
);
