import { z } from 'zod';
import { api } from '../shared/http/api.ts';
import { createPerson } from '../shared/library/persons.ts';
import { consent, personMeta, personName } from '../shared/library/schemas.ts';

const body = z.object({ name: personName, meta: personMeta.optional(), consent });

export const handler = api({ auth: 'user', body }, async ({ userId, body }) => ({
  status: 201,
  body: await createPerson(userId, body),
}));
