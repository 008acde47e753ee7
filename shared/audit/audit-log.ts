import { z } from 'zod';
import { validationFailed } from '../errors.ts';
import { auditStore } from '../store/audit.ts';

/**
 * The audit log of biometric operations on an account (PIPL Art. 55/56-style records; GDPR Art. 30).
 * Items live in the owner's partition at `AUDIT#<ISO time>#<requestId>`, so the sort key is the time
 * line and another user's entries never resolve. Each expires after AUDIT_RETENTION_DAYS (DynamoDB TTL;
 * reads skip expired items too, since TTL deletion lags and the local emulator has none).
 */
export const AUDIT_ACTIONS = [
  'detect',
  'compare',
  'search',
  'enrol',
  'liveness',
  'delete',
  'export',
  'erase',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_RETENTION_DAYS = 365;

export const auditEntrySchema = z.object({
  at: z.iso.datetime(),
  action: z.enum(AUDIT_ACTIONS),
  /** What the operation touched, e.g. `person/p…`, `image/sha256:…`, `liveness-session/lv_…`, `account`. */
  resource: z.string(),
  /** `ok`, a domain outcome (`match`, `no_match`, `live`, `not_live`, `faces:3`) or the error code. */
  result: z.string(),
  requestId: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** The body of GET /v1/me/audit. */
export const auditPageSchema = z.object({
  items: z.array(auditEntrySchema),
  nextCursor: z.string().nullable(),
});

export async function recordAudit(userId: string, entry: Omit<AuditEntry, 'at'>, now = new Date()) {
  const at = now.toISOString();
  await auditStore.put(userId, {
    at,
    ...entry,
    ttl: Math.floor(now.getTime() / 1000) + AUDIT_RETENTION_DAYS * 86400,
  });
}

/** Newest first. The cursor is the last sort key seen, opaque to clients and bound to the caller. */
export async function listAudit(
  userId: string,
  page: { limit: number; cursor?: string },
): Promise<z.infer<typeof auditPageSchema>> {
  let after: string | undefined;
  if (page.cursor !== undefined) {
    after = Buffer.from(page.cursor, 'base64url').toString('utf8');
    if (!auditStore.isSortKey(after) || after.length > 200) {
      throw validationFailed({ cursor: 'is not a cursor returned by this endpoint' });
    }
  }
  const now = Math.floor(Date.now() / 1000);
  const { items, lastSk: last } = await auditStore.newestFirst<AuditEntry & { ttl: number }>(userId, {
    limit: page.limit,
    afterSk: after,
  });
  return {
    items: items
      .filter((i) => i.ttl > now)
      .map(({ at, action, resource, result, requestId }) => ({ at, action, resource, result, requestId })),
    nextCursor: last ? Buffer.from(last).toString('base64url') : null,
  };
}

/** Every entry, oldest first (export). */
export async function allAudit(userId: string): Promise<AuditEntry[]> {
  const now = Math.floor(Date.now() / 1000);
  const items = await auditStore.all<AuditEntry & { ttl: number }>(userId);
  return items
    .filter((i) => i.ttl > now)
    .map(({ at, action, resource, result, requestId }) => ({ at, action, resource, result, requestId }));
}

/** Erasure removes the log too; the erase request's own entry is written after it, as the tombstone. */
export async function eraseAudit(userId: string): Promise<void> {
  await auditStore.removeAll(userId);
}
