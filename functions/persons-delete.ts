import { api } from '../shared/http/api.ts';
import { deletePerson } from '../shared/library/persons.ts';
import { personParams } from '../shared/library/schemas.ts';

export const handler = api(
  { auth: 'user', params: personParams, audit: 'delete' },
  async ({ userId, params }) => {
    await deletePerson(userId, params.personId);
    return { status: 204 };
  },
);
