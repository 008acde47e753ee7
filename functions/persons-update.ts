import { z } from 'zod';
import { api } from '../shared/http/api.ts';
import { updatePerson } from '../shared/library/persons.ts';
import { consent, personMeta, personName, personParams } from '../shared/library/schemas.ts';

const body = z
  .object({
    name: personName.optional(),
    meta: personMeta.optional(),
    // A renewed consent replaces the old one; there is no way to remove it (delete the person instead).
    consent: consent.optional(),
  })
  .refine((patch) => patch.name !== undefined || patch.meta !== undefined || patch.consent !== undefined, {
    message: 'give name, meta, consent or several',
    path: ['body'],
  });

export const handler = api(
  { auth: 'user', body, params: personParams },
  async ({ userId, body, params }) => ({
    body: await updatePerson(userId, params.personId, body),
  }),
);
