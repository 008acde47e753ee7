import {
  CAMERA_PREFIX,
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

  /** Deletes the cameras a site reported. */
  removeOfSite: async (userId: string, siteId: string) =>
    deleteAll(await ownerItems<Key>(userId, siteCamerasPrefix(siteId), ['pk', 'sk'])),
};
