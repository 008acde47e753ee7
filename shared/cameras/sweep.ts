import { recordSitesWentOffline } from '../metrics.ts';
import { presenceStore, type Presence } from '../store/presence.ts';
import { cameraStore, siteStore } from '../store/sites.ts';
import { STALE_AFTER_SECONDS } from './cameras.ts';

export interface SweepResult {
  /** Online sites found silent for longer than STALE_AFTER_SECONDS. */
  silent: number;
  /** Of those, the sites this run marked offline (not taken by a racing heartbeat or sweep). */
  wentOffline: number;
  /** Cameras this run persisted as offline. */
  camerasOffline: number;
  /** Silent presences of sites deleted meanwhile, removed with their cameras and not counted. */
  orphansRemoved: number;
}

/**
 * Marks offline every site that sent no heartbeat for STALE_AFTER_SECONDS, with its cameras, so that the
 * stored status is true whoever reads it. Scheduled (functions/edge-sweep.ts).
 *
 * Idempotent and safe to overlap with itself and with heartbeats: every write is conditional on the
 * `lastSeenAt` the sweep read, so a heartbeat that lands meanwhile wins, and only one run counts a site.
 * Cameras go before the presence: a run that fails in between leaves the site indexed, and the next run
 * finishes it. A presence whose site is gone (a heartbeat in flight while the site was deleted) is
 * removed with its cameras rather than reported. One site's failure does not stop the others, and the
 * sites already marked offline are counted (SitesWentOffline) even when the run then fails.
 */
export async function sweepSilentSites(nowMs = Date.now()): Promise<SweepResult> {
  const cutoff = new Date(nowMs - STALE_AFTER_SECONDS * 1000).toISOString();
  const now = new Date(nowMs).toISOString();
  const silent = await presenceStore.silentSince(cutoff);
  const result = { silent: silent.length, wentOffline: 0, camerasOffline: 0, orphansRemoved: 0 };
  const failures: unknown[] = [];
  try {
    for (const site of silent) {
      try {
        if (!(await siteStore.exists(site.ownerId, site.siteId))) {
          await removeOrphan(site);
          result.orphansRemoved++;
          continue;
        }
        result.camerasOffline += await markCamerasOffline(site);
        if (await presenceStore.markOffline(site, now)) result.wentOffline++;
      } catch (e) {
        failures.push(e);
      }
    }
  } finally {
    recordSitesWentOffline(result.wentOffline);
  }
  if (failures.length)
    throw new AggregateError(failures, `${failures.length} of ${silent.length} silent sites failed`);
  return result;
}

async function removeOrphan(site: Presence): Promise<void> {
  await cameraStore.removeOfSite(site.ownerId, site.siteId);
  await presenceStore.remove(site.ownerId, site.siteId);
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
