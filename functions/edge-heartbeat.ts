import { heartbeatBodySchema } from '../edge-streamer/src/heartbeat-schema.ts';
import { recordHeartbeat } from '../shared/cameras/cameras.ts';
import { authenticateEdge } from '../shared/cameras/sites.ts';
import { api } from '../shared/http/api.ts';

/** Authenticated with the site's edge key (not a user session), checked against its stored hash. */
export const handler = api({ auth: 'none', body: heartbeatBodySchema }, async ({ body, headers }) => {
  const site = await authenticateEdge(body.siteId, headers.authorization);
  return { body: await recordHeartbeat(site, body.publicUrl, body.cameras) };
});
