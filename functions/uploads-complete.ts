import { api } from '../shared/http/api.ts';
import { completeUpload } from '../shared/uploads/lifecycle.ts';
import { completeUploadBody, uploadParams } from '../shared/uploads/schemas.ts';

export const handler = api(
  { auth: 'user', params: uploadParams, body: completeUploadBody },
  async ({ userId, params, body }) => ({ body: await completeUpload(userId, params.uploadId, body.parts) }),
);
