import { SESSION_PREFIX, sessionKey } from './keys.ts';
import { deleteOwnerItems, putItem } from './table.ts';

/** Sign-in records, in the owner's partition at `SESSION#<sessionId>`, with the WeChat session key. */

export const signInStore = {
  /** Writes a sign-in that DynamoDB's TTL removes at `ttl` (epoch seconds). */
  put: (
    userId: string,
    sessionId: string,
    fields: { wechatSessionKey: string; createdAt: string; ttl: number },
  ) => putItem({ ...sessionKey(userId, sessionId), ...fields }),

  removeAll: (userId: string) => deleteOwnerItems(userId, SESSION_PREFIX),
};
