import { listCameras } from '../shared/cameras/cameras.ts';
import { api } from '../shared/http/api.ts';

export const handler = api({ auth: 'user' }, async ({ userId }) => ({ body: await listCameras(userId) }));
