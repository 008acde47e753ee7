import { PRESENCE_SHARDS, onlineShardPk, presenceIndexKey, presenceKey } from './keys.ts';
import { deleteItem, putItem, queryIndexBefore, updateItem } from './table.ts';

/**
 * Site presence: when each site last sent a heartbeat, indexed (GSI gsi1, sharded) only while the site
 * is online, so the offline sweep reads the silent sites alone. See keys.ts.
 */
export interface Presence {
  siteId: string;
  ownerId: string;
  lastSeenAt: string;
  /** When the sweep marked the site offline; absent while it is online. */
  offlineSince?: string;
}

export const presenceStore = {
  /** A heartbeat: the site is online as of `at` (indexed again if the sweep had taken it out). */
  beat: (ownerId: string, siteId: string, at: string) =>
    putItem({
      ...presenceKey(ownerId, siteId),
      ...presenceIndexKey(siteId, at),
      siteId,
      ownerId,
      lastSeenAt: at,
    }),

  /** Online sites whose last heartbeat is older than `cutoff` (an ISO time), all shards. */
  async silentSince(cutoff: string): Promise<Presence[]> {
    const shards = Array.from({ length: PRESENCE_SHARDS }, (_, shard) => onlineShardPk(shard));
    return (await Promise.all(shards.map((pk) => queryIndexBefore<Presence>(pk, cutoff)))).flat();
  },

  /**
   * Takes a silent site out of the index and records since when it is offline, unless a heartbeat came
   * after `lastSeenAt` (the heartbeat wins) or another sweep got there first: false then.
   */
  async markOffline(site: Presence, at: string): Promise<boolean> {
    const out = await updateItem(presenceKey(site.ownerId, site.siteId), {
      expression: 'SET offlineSince = :at REMOVE gsi1pk, gsi1sk',
      condition: 'lastSeenAt = :seen AND attribute_exists(gsi1pk)',
      values: { ':at': at, ':seen': site.lastSeenAt },
    });
    return out !== undefined;
  },

  remove: (ownerId: string, siteId: string) => deleteItem(presenceKey(ownerId, siteId)),
};
