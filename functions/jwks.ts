import { jwks } from '../shared/cameras/stream-keys.ts';
import { api } from '../shared/http/api.ts';

export const handler = api({ auth: 'none' }, async () => ({
  headers: { 'Cache-Control': 'public, max-age=300' },
  body: jwks(),
}));
