import { z } from 'zod';
import { loginWithWeChat } from '../shared/auth/login.ts';
import { api } from '../shared/http/api.ts';

const body = z.object({
  code: z.string().min(1).max(128),
  /** From POST /v1/captcha/verify; required after repeated failed logins from the caller's network. */
  captchaToken: z.string().min(1).max(128).optional(),
});

export const handler = api({ auth: 'none', body }, async ({ body, sourceIp, headers }) => ({
  body: await loginWithWeChat({
    code: body.code,
    sourceIp,
    captchaToken: body.captchaToken,
    powSolution: headers['x-pow-solution'],
  }),
}));
