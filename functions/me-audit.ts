import { z } from 'zod';
import { listAudit } from '../shared/audit/audit-log.ts';
import { api } from '../shared/http/api.ts';

const query = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(512).optional(),
});

export const handler = api({ auth: 'user', query }, async ({ userId, query }) => ({
  body: await listAudit(userId, query),
}));
