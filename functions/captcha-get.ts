import { z } from 'zod';
import { createCaptcha } from '../shared/captcha/challenge.ts';
import { api } from '../shared/http/api.ts';

const query = z.object({ format: z.enum(['png', 'svg']).default('png') });

export const handler = api({ auth: 'none', query }, async ({ query }) => ({
  body: await createCaptcha(query.format),
  headers: { 'Cache-Control': 'no-store' },
}));
