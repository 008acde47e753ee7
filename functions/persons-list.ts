import { z } from 'zod';
import { api } from '../shared/http/api.ts';
import { listPersons } from '../shared/library/persons.ts';

const query = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(512).optional(),
});

export const handler = api({ auth: 'user', query }, async ({ userId, query }) => ({
  body: await listPersons(userId, query),
}));
