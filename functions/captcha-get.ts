import { z } from 'zod';
import { issueCaptcha } from '../shared/captcha/guarded.ts';
import { api } from '../shared/http/api.ts';

const query = z.object({ format: z.enum(['png', 'svg']).default('png') });

export const handler = api({ auth: 'none', query }, async ({ query, sourceIp, headers }) => {
  const issued = await issueCaptcha({
    format: query.format,
    sourceIp,
    powSolution: headers['x-pow-solution'],
  });
  return { body: issued.captcha, headers: { 'Cache-Control': 'no-store', ...issued.headers } };
});
