import { notFound } from '../shared/errors.ts';
import { api } from '../shared/http/api.ts';

/** Catch-all route, so unknown paths get the contract's error body instead of the gateway's. */
export const handler = api({ auth: 'none' }, async () => {
  throw notFound('route');
});
