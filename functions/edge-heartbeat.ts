import { z } from 'zod';
import { cameraIdSchema } from '../edge-streamer/src/camera-id.ts';
import { recordHeartbeat } from '../shared/cameras/cameras.ts';
import { authenticateEdge } from '../shared/cameras/sites.ts';
import { api } from '../shared/http/api.ts';

const camera = z.object({
  // One rule with the edge-streamer's config (it ships without shared/, so the rule lives there).
  cameraId: cameraIdSchema,
  name: z.string().min(1).max(128),
  status: z.enum(['online', 'offline', 'connecting']),
  width: z.number().int().positive().max(16384).optional(),
  height: z.number().int().positive().max(16384).optional(),
  fps: z.number().positive().max(240).optional(),
});

const body = z.object({
  siteId: z.string().min(1).max(64),
  publicUrl: z.url({ protocol: /^https?$/ }),
  cameras: z.array(camera).max(200),
});

/** Authenticated with the site's edge key (not a user session), checked against its stored hash. */
export const handler = api({ auth: 'none', body }, async ({ body, headers }) => {
  const site = await authenticateEdge(body.siteId, headers.authorization);
  return { body: await recordHeartbeat(site, body.publicUrl, body.cameras) };
});
