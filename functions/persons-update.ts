import { z } from 'zod';
import { api } from '../shared/http/api.ts';
import { updatePerson } from '../shared/library/persons.ts';
import { personMeta, personName, personParams } from '../shared/library/schemas.ts';

const body = z
  .object({ name: personName.optional(), meta: personMeta.optional() })
  .refine((patch) => patch.name !== undefined || patch.meta !== undefined, {
    message: 'give name, meta or both',
    path: ['body'],
  });

export const handler = api(
  { auth: 'user', body, params: personParams },
  async ({ userId, body, params }) => ({
    body: await updatePerson(userId, params.personId, body),
  }),
);
