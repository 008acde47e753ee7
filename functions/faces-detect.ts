import { z } from 'zod';
import { DEFAULT_MAX_FACES, MAX_MAX_FACES } from '../shared/face/engine.ts';
import { detectFaces } from '../shared/face-service/detect.ts';
import { FACE_FIELDS } from '../shared/face-service/present.ts';
import { api } from '../shared/http/api.ts';
import { withImage } from '../shared/image-input.ts';

const body = withImage({
  maxFaces: z.number().int().min(1).max(MAX_MAX_FACES).default(DEFAULT_MAX_FACES),
  fields: z.array(z.enum(FACE_FIELDS)).max(FACE_FIELDS.length).optional(),
});

export const handler = api(
  { auth: 'user', limit: 'face', body, audit: 'detect' },
  async ({ userId, body }) => {
    const result = await detectFaces(userId, body, { maxFaces: body.maxFaces, fields: body.fields });
    return { body: result, audit: { result: `faces:${result.faceCount}` } };
  },
);
