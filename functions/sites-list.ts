import { listPublicSites } from '../shared/cameras/sites.ts';
import { api } from '../shared/http/api.ts';

export const handler = api({ auth: 'user' }, async ({ userId }) => ({ body: await listPublicSites(userId) }));
