import { api } from '../shared/http/api.ts';
import { createUpload } from '../shared/uploads/create.ts';
import { createUploadBody } from '../shared/uploads/schemas.ts';

export const handler = api({ auth: 'user', body: createUploadBody }, async ({ userId, body }) => ({
  status: 201,
  body: await createUpload(userId, body),
}));
