import { describeCaller } from '../shared/auth/me.ts';
import { api } from '../shared/http/api.ts';

export const handler = api({ auth: 'user' }, async ({ userId }) => ({ body: await describeCaller(userId) }));
