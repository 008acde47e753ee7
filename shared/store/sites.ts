import {
  CAMERA_PREFIX,
  PRESENCE_PREFIX,
  SITE_PREFIX,
  cameraKey,
  siteCamerasPrefix,
  siteIndexKey,
  siteKey,
  type Key,
} from './keys.ts';
import {
  deleteAll,
  deleteExistingItem,
  getItem,
  deleteOwnerItems,
  ownerItems,
  putAll,
  putItem,
  queryIndex,
  updateItem,
} from './table.ts';

/**
 * Sites (edge-streamer installations) and the cameras their heartbeats report, in the owner's
 * partition; a site is also indexed by its id alone (GSI gsi1), for edge authentication. See keys.ts.
 */

/** What a site item holds besides its keys (cameras/sites.ts owns the shape). */
type SiteFields = { siteId: string; ownerId: string } & Record<string, unknown>;

export const siteStore = {
  create: (site: SiteFields) =>
    putItem({ ...siteKey(site.ownerId, site.siteId), ...siteIndexKey(site.siteId), ...site }),

  all: <T>(userId: string) => ownerItems<T>(userId, SITE_PREFIX),

  /** The site with this id, whoever owns it. */
  byId: async <T>(siteId: string) => (await queryIndex<T>(siteIndexKey(siteId)))[0],

  /** Whether the owner still has this site (a strongly consistent read). */
  exists: async (userId: string, siteId: string) => (await getItem(siteKey(userId, siteId))) !== undefined,

  /** Deletes an existing site; false when there was none. */
  remove: async (userId: string, siteId: string) =>
    (await deleteExistingItem<Key>(siteKey(userId, siteId))) !== undefined,

  /** Records where the site is reachable and when it last reported; false when the site is gone. */
  async touch(userId: string, siteId: string, publicUrl: string, now: string): Promise<boolean> {
    const out = await updateItem(siteKey(userId, siteId), {
      expression: 'SET publicUrl = :u, lastSeenAt = :t',
      condition: 'attribute_exists(pk)',
      values: { ':u': publicUrl, ':t': now },
    });
    return out !== undefined;
  },
};

export const cameraStore = {
  all: <T>(userId: string) => ownerItems<T>(userId, CAMERA_PREFIX),

  /** Writes (replaces) each reported camera of a site. */
  putAll: (
    userId: string,
    siteId: string,
    cameras: readonly ({ cameraId: string } & Record<string, unknown>)[],
  ) => putAll(cameras.map((camera) => ({ ...cameraKey(userId, siteId, camera.cameraId), ...camera }))),

  /** The cameras a site reported. */
  ofSite: <T>(userId: string, siteId: string) => ownerItems<T>(userId, siteCamerasPrefix(siteId)),

  /** Deletes the cameras a site reported. */
  removeOfSite: async (userId: string, siteId: string) =>
    deleteAll(await ownerItems<Key>(userId, siteCamerasPrefix(siteId), ['pk', 'sk'])),

  /**
   * Persists a camera as offline unless its site reported it after `seenUpTo` (the heartbeat wins) or
   * the camera is gone; false then.
   */
  async markOffline(userId: string, siteId: string, cameraId: string, seenUpTo: string): Promise<boolean> {
    const out = await updateItem(cameraKey(userId, siteId, cameraId), {
      expression: 'SET #status = :offline',
      condition: 'attribute_exists(pk) AND lastSeenAt <= :seen',
      names: { '#status': 'status' },
      values: { ':offline': 'offline', ':seen': seenUpTo },
    });
    return out !== undefined;
  },
};

/** Erasure: every site of the owner (revoking its key first), its cameras and its presence. */
export async function eraseSites(userId: string): Promise<void> {
  for (const prefix of [SITE_PREFIX, CAMERA_PREFIX, PRESENCE_PREFIX]) await deleteOwnerItems(userId, prefix);
}
