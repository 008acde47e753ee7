import { presenceStore, type Presence } from '../store/presence.ts';
import { cameraStore } from '../store/sites.ts';
import { STALE_AFTER_SECONDS } from './cameras.ts';

export interface SweepResult {
  /** Online sites found silent for longer than STALE_AFTER_SECONDS. */
  silent: number;
  /** Of those, the sites this run marked offline (not taken by a racing heartbeat or sweep). */
  wentOffline: number;
  /** Cameras this run persisted as offline. */
  camerasOffline: number;
}

/**
 * Marks offline every site that sent no heartbeat for STALE_AFTER_SECONDS, with its cameras, so that the
 * stored status is true whoever reads it. Scheduled (functions/edge-sweep.ts).
 *
 * Idempotent and safe to overlap with itself and with heartbeats: every write is conditional on the
 * `lastSeenAt` the sweep read, so a heartbeat that lands meanwhile wins, and only one run counts a site.
 * Cameras go before the presence: a run that fails in between leaves the site indexed, and the next run
 * finishes it.
 */
export async function sweepSilentSites(nowMs = Date.now()): Promise<SweepResult> {
  const cutoff = new Date(nowMs - STALE_AFTER_SECONDS * 1000).toISOString();
  const now = new Date(nowMs).toISOString();
  const silent = await presenceStore.silentSince(cutoff);
  let wentOffline = 0;
  let camerasOffline = 0;
  for (const site of silent) {
    camerasOffline += await markCamerasOffline(site);
    if (await presenceStore.markOffline(site, now)) wentOffline++;
  }
  return { silent: silent.length, wentOffline, camerasOffline };
}

async function markCamerasOffline(site: Presence): Promise<number> {
  const cameras = await cameraStore.ofSite<{ cameraId: string; status: string }>(site.ownerId, site.siteId);
  let marked = 0;
  for (const camera of cameras) {
    if (camera.status === 'offline') continue;
    if (await cameraStore.markOffline(site.ownerId, site.siteId, camera.cameraId, site.lastSeenAt)) marked++;
  }
  return marked;
}
