import { api } from '../shared/http/api.ts';
import { removeFace } from '../shared/library/faces.ts';
import { faceParams } from '../shared/library/schemas.ts';

export const handler = api(
  { auth: 'user', params: faceParams, audit: 'delete' },
  async ({ userId, params }) => {
    await removeFace(userId, params.personId, params.faceId);
    return { status: 204 };
  },
);
