import { z } from 'zod';
import { LIVENESS_LEVELS } from '../shared/face/liveness.ts';
import { livenessCheck } from '../shared/face-service/liveness.ts';
import { api } from '../shared/http/api.ts';
import { withImage } from '../shared/image-input.ts';

const body = withImage({ level: z.enum(LIVENESS_LEVELS).default('NORMAL') });

export const handler = api({ auth: 'user', limit: 'face', body }, async ({ userId, body }) => ({
  body: await livenessCheck(userId, body, body.level),
}));
