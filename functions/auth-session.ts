import { z } from 'zod';
import { loginWithWeChat } from '../shared/auth/login.ts';
import { api } from '../shared/http/api.ts';

const body = z.object({ code: z.string().min(1).max(128) });

export const handler = api({ auth: 'none', body }, async ({ body }) => ({
  body: await loginWithWeChat(body.code),
}));
