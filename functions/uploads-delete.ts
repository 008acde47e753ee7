import { api } from '../shared/http/api.ts';
import { abortUpload } from '../shared/uploads/lifecycle.ts';
import { uploadParams } from '../shared/uploads/schemas.ts';

export const handler = api(
  { auth: 'user', params: uploadParams, audit: 'delete' },
  async ({ userId, params }) => {
    await abortUpload(userId, params.uploadId);
    return { status: 204 };
  },
);
