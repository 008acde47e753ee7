import { AUDIT_PREFIX, auditKey, ownerPk } from './keys.ts';
import { deleteOwnerItems, ownerItems, putItem, queryOwnerPage } from './table.ts';

/** Audit entries, in the owner's partition at `AUDIT#<ISO time>#<requestId>`: the sort key is the time line. */

export const auditStore = {
  /** Writes an entry that DynamoDB's TTL removes at `ttl` (epoch seconds). */
  put: (userId: string, entry: { at: string; requestId: string; ttl: number } & Record<string, unknown>) =>
    putItem({ ...auditKey(userId, entry.at, entry.requestId), ...entry }),

  /**
   * A page of entries, newest first, after the sort key `afterSk`; `lastSk` is the cursor for the next
   * page, if any.
   */
  async newestFirst<T>(userId: string, page: { limit: number; afterSk?: string }) {
    const after = page.afterSk ? { pk: ownerPk(userId), sk: page.afterSk } : undefined;
    const out = await queryOwnerPage<T>(userId, AUDIT_PREFIX, { limit: page.limit, after, descending: true });
    return { items: out.items, lastSk: out.lastKey?.sk };
  },

  /** Every entry, oldest first. */
  all: <T>(userId: string) => ownerItems<T>(userId, AUDIT_PREFIX),

  removeAll: (userId: string) => deleteOwnerItems(userId, AUDIT_PREFIX),

  /** Whether a cursor can be a sort key of this log. */
  isSortKey: (sk: string) => sk.startsWith(AUDIT_PREFIX),
};
