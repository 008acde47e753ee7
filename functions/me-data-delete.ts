import { api } from '../shared/http/api.ts';
import { eraseUserData } from '../shared/library/user-data.ts';

export const handler = api({ auth: 'user' }, async ({ userId }) => {
  await eraseUserData(userId);
  return { status: 204 };
});
