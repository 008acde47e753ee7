import { api } from '../shared/http/api.ts';
import { exportUserData } from '../shared/privacy/export.ts';

export const handler = api({ auth: 'user', audit: 'export' }, async ({ userId }) => ({
  body: await exportUserData(userId),
  audit: { resource: 'account' },
}));
