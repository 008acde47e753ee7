import { api } from '../shared/http/api.ts';
import { uploadStatus } from '../shared/uploads/lifecycle.ts';
import { uploadParams } from '../shared/uploads/schemas.ts';

export const handler = api({ auth: 'user', params: uploadParams }, async ({ userId, params }) => ({
  body: await uploadStatus(userId, params.uploadId),
}));
