import { SignJWT } from 'jose';
import { z } from 'zod';
import { AppError, notFound } from '../errors.ts';
import { presenceStore } from '../store/presence.ts';
import { cameraStore, siteStore } from '../store/sites.ts';
import { invalidEdgeKey, listSites, type SiteRecord } from './sites.ts';
import { streamKeys } from './stream-keys.ts';
// The heartbeat's shape: one schema for the streamer and the API.
import {
  CAMERA_STATUSES,
  type CameraStatus,
  type ReportedCamera,
} from '../../edge-streamer/src/heartbeat-schema.ts';

/** A camera whose site has not reported for this long is shown offline whatever it last said. */
export const STALE_AFTER_SECONDS = 90;

/** The body of POST /v1/edge/heartbeat. */
export const heartbeatReceiptSchema = z.object({ receivedAt: z.string() });

/** The body of GET /v1/cameras. */
export const cameraListSchema = z.object({
  items: z.array(
    z.object({
      cameraId: z.string(),
      siteId: z.string(),
      name: z.string(),
      status: z.enum(CAMERA_STATUSES),
      width: z.number().optional(),
      height: z.number().optional(),
      fps: z.number().optional(),
      lastSeenAt: z.string(),
    }),
  ),
});

/** The body of POST /v1/cameras/{cameraId}/stream-token. */
export const streamTokenSchema = z.object({
  streamUrl: z.string(),
  snapshotUrl: z.string(),
  expiresAt: z.string(),
});

/**
 * Records a heartbeat: the site's public URL, each camera's status and the site's presence (which brings
 * a site the sweep marked offline back online). Cameras before presence: the sweep reads presence first
 * and spares cameras written after it (see sweep.ts).
 */
export async function recordHeartbeat(
  site: SiteRecord,
  publicUrl: string,
  cameras: ReportedCamera[],
): Promise<z.infer<typeof heartbeatReceiptSchema>> {
  const now = new Date().toISOString();
  // The site was deleted since the key was checked: its key is revoked.
  if (!(await siteStore.touch(site.ownerId, site.siteId, publicUrl, now))) throw invalidEdgeKey();
  await cameraStore.putAll(
    site.ownerId,
    site.siteId,
    cameras.map((c) => ({ siteId: site.siteId, ...c, lastSeenAt: now })),
  );
  await presenceStore.beat(site.ownerId, site.siteId, now);
  return { receivedAt: now };
}

export async function listCameras(
  ownerId: string,
  nowMs = Date.now(),
): Promise<z.infer<typeof cameraListSchema>> {
  const cameras = await cameraStore.all<Record<string, unknown>>(ownerId);
  const items = cameras.map((c) => {
    const lastSeenAt = String(c.lastSeenAt);
    const stale = nowMs - Date.parse(lastSeenAt) > STALE_AFTER_SECONDS * 1000;
    return {
      cameraId: String(c.cameraId),
      siteId: String(c.siteId),
      name: String(c.name),
      status: (stale ? 'offline' : c.status) as CameraStatus,
      ...(c.width ? { width: Number(c.width) } : {}),
      ...(c.height ? { height: Number(c.height) } : {}),
      ...(c.fps ? { fps: Number(c.fps) } : {}),
      lastSeenAt,
    };
  });
  return { items };
}

/**
 * Short-lived URLs on the site's tunnel address. The token is an ES256 JWT (`sub` camera,
 * `aud` site) the streamer verifies offline with the public key from the JWKS endpoint.
 */
export async function issueStreamToken(
  ownerId: string,
  cameraId: string,
  ttlSeconds: number,
  siteId?: string,
): Promise<z.infer<typeof streamTokenSchema>> {
  const [cameras, sites] = await Promise.all([
    cameraStore.all<Record<string, unknown>>(ownerId),
    listSites(ownerId),
  ]);
  const matches = cameras.filter((c) => c.cameraId === cameraId && (!siteId || c.siteId === siteId));
  if (matches.length === 0) throw notFound('camera');
  if (matches.length > 1) {
    throw new AppError('AMBIGUOUS_CAMERA', 'Several of your sites have a camera with this id; pass siteId.', {
      siteIds: matches.map((c) => c.siteId),
    });
  }
  const site = sites.find((s) => s.siteId === matches[0]!.siteId);
  if (!site) throw notFound('camera');
  if (!site.publicUrl) throw new AppError('SITE_NOT_CONNECTED', 'The site has not reported its address yet.');
  const { privateKey, kid } = streamKeys();
  const expiresAt = Math.floor(Date.now() / 1000) + ttlSeconds;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setSubject(cameraId)
    .setAudience(String(site.siteId))
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(privateKey);
  const base = `${String(site.publicUrl).replace(/\/+$/, '')}/cameras/${encodeURIComponent(cameraId)}`;
  return {
    streamUrl: `${base}/stream.mjpeg?token=${token}`,
    snapshotUrl: `${base}/snapshot.jpg?token=${token}`,
    expiresAt: new Date(expiresAt * 1000).toISOString(),
  };
}
