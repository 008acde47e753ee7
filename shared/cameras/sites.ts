import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { bearerToken } from '../auth/bearer.ts';
import { sha256Hex, safeEqual } from '../auth/crypto.ts';
import { notFound, AppError } from '../errors.ts';
import { presenceStore } from '../store/presence.ts';
import { cameraStore, siteStore } from '../store/sites.ts';

/**
 * A site is one edge-streamer installation. Its edge key is shown once and stored only as a
 * SHA-256 hash (the key is 256 random bits, so a plain hash is enough). Stored by store/sites.ts, with
 * the cameras its heartbeats report.
 */
export interface SiteRecord {
  siteId: string;
  ownerId: string;
  name: string;
  edgeKeyHash: string;
  publicUrl?: string;
  lastSeenAt?: string;
  createdAt: string;
}

/** The body of POST /v1/sites: the only response that shows the edge key. */
export const createdSiteSchema = z.object({ siteId: z.string(), name: z.string(), edgeKey: z.string() });

/** The body of GET /v1/sites: the caller's sites, without keys. */
export const siteListSchema = z.object({
  items: z.array(
    z.object({
      siteId: z.string(),
      name: z.string(),
      publicUrl: z.string().nullable(),
      lastSeenAt: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
});
type SiteList = z.infer<typeof siteListSchema>;

const publicSite = (s: SiteRecord): SiteList['items'][number] => ({
  siteId: s.siteId,
  name: s.name,
  publicUrl: s.publicUrl ?? null,
  lastSeenAt: s.lastSeenAt ?? null,
  createdAt: s.createdAt,
});

export async function createSite(ownerId: string, name: string): Promise<z.infer<typeof createdSiteSchema>> {
  const siteId = `site_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const edgeKey = `fgek_${randomBytes(32).toString('base64url')}`;
  const site: SiteRecord = {
    siteId,
    ownerId,
    name,
    edgeKeyHash: sha256Hex(edgeKey),
    createdAt: new Date().toISOString(),
  };
  await siteStore.create({ ...site });
  return { siteId, name, edgeKey };
}

export const listSites = (ownerId: string) => siteStore.all<SiteRecord>(ownerId);

export const listPublicSites = async (ownerId: string): Promise<SiteList> => ({
  items: (await listSites(ownerId)).map(publicSite),
});

const findSite = (siteId: string) => siteStore.byId<SiteRecord>(siteId);

export const invalidEdgeKey = () =>
  new AppError('INVALID_EDGE_KEY', 'The edge key is missing, revoked, or not for this site.');

/** The site an edge key belongs to; 401 unless the key matches the stored hash of that site. */
export async function authenticateEdge(siteId: string, bearer: string | undefined): Promise<SiteRecord> {
  const key = bearerToken(bearer);
  const site = key ? await findSite(siteId) : undefined;
  if (!key || !site || !safeEqual(site.edgeKeyHash, sha256Hex(key))) {
    throw invalidEdgeKey();
  }
  return site;
}

/**
 * Deletes the site (revoking its key), the cameras it reported and its presence. Cameras and presence go
 * first, then the site: a failure part way leaves the site in place, so deleting it again finishes the
 * job. A heartbeat racing the delete may write them again; the sweep removes such leftovers once they go
 * silent (sweep.ts).
 */
export async function deleteSite(ownerId: string, siteId: string): Promise<void> {
  if (!(await siteStore.exists(ownerId, siteId))) throw notFound('site');
  await cameraStore.removeOfSite(ownerId, siteId);
  await presenceStore.remove(ownerId, siteId);
  if (!(await siteStore.remove(ownerId, siteId))) throw notFound('site');
}
