import { z } from 'zod';
import { answerCaptcha } from '../shared/captcha/guarded.ts';
import { api } from '../shared/http/api.ts';

const body = z.object({
  captchaId: z.string().min(1).max(64),
  answer: z.string().min(1).max(32),
});

export const handler = api({ auth: 'none', body }, async ({ body, sourceIp }) => ({
  body: await answerCaptcha({ ...body, sourceIp }),
}));
