import { api } from '../shared/http/api.ts';
import { eraseUserData } from '../shared/library/user-data.ts';

export const handler = api({ auth: 'user', audit: 'erase' }, async ({ userId }) => {
  await eraseUserData(userId);
  // The only audit entry that survives erasure: that it happened (see PRIVACY.md).
  return { status: 204, audit: { resource: 'account', result: 'erased' } };
});
