import { z } from 'zod';
import { api } from '../shared/http/api.ts';
import { resolveImageInput, withImage } from '../shared/image-input.ts';
import { enrolFace } from '../shared/library/enrol.ts';
import { personParams } from '../shared/library/schemas.ts';

const body = withImage({ livenessSessionId: z.string().min(1).max(64).optional() });

export const handler = api(
  { auth: 'user', limit: 'face', body, params: personParams, audit: 'enrol' },
  async ({ userId, body, params }) => {
    const { face, created } = await enrolFace(
      userId,
      params.personId,
      await resolveImageInput(userId, body),
      {
        livenessSessionId: body.livenessSessionId,
      },
    );
    return {
      status: created ? 201 : 200,
      body: face,
      audit: {
        resource: `person/${params.personId}/face/${face.faceId}`,
        result: created ? 'enrolled' : 'already_enrolled',
      },
    };
  },
);
