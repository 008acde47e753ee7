import { api } from '../shared/http/api.ts';
import { getPerson } from '../shared/library/persons.ts';
import { personParams } from '../shared/library/schemas.ts';

export const handler = api({ auth: 'user', params: personParams }, async ({ userId, params }) => ({
  body: await getPerson(userId, params.personId),
}));
