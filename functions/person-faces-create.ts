import { api } from '../shared/http/api.ts';
import { imageSource, resolveImageBytes } from '../shared/image-input.ts';
import { enrolFace } from '../shared/library/enrol.ts';
import { personParams } from '../shared/library/schemas.ts';

export const handler = api(
  { auth: 'user', limit: 'face', body: imageSource, params: personParams },
  async ({ userId, body, params }) => {
    const { face, created } = await enrolFace(userId, params.personId, await resolveImageBytes(userId, body));
    return { status: created ? 201 : 200, body: face };
  },
);
