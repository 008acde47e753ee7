import { z } from 'zod';
import { verifyCaptcha } from '../shared/captcha/challenge.ts';
import { api } from '../shared/http/api.ts';

const body = z.object({
  captchaId: z.string().min(1).max(64),
  answer: z.string().min(1).max(32),
});

export const handler = api({ auth: 'none', body }, async ({ body }) => ({
  body: { valid: true, captchaToken: await verifyCaptcha(body.captchaId, body.answer) },
}));
