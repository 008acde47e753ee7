import { eraseAudit } from '../audit/audit-log.ts';
import { eraseResultCache } from '../face-service/result-cache.ts';
import { eraseSignIns } from '../auth/login.ts';
import { eraseLivenessRecords } from '../liveness/sessions.ts';
import { eraseFriction } from '../pow/friction.ts';
import { eraseExports } from '../privacy/export.ts';
import { eraseSites } from '../store/sites.ts';
import { eraseUploads } from '../uploads/erase.ts';
import { eraseLibrary } from './erase.ts';

/**
 * `DELETE /v1/me/data`: everything the service keeps about the caller, module by module. Each eraser is
 * idempotent, so a client retries after a 503 until it gets 204.
 */
export async function eraseUserData(userId: string): Promise<void> {
  await eraseLibrary(userId);
  await eraseUploads(userId);
  await eraseSites(userId);
  await eraseResultCache(userId);
  await eraseLivenessRecords(userId);
  await eraseExports(userId);
  await eraseSignIns(userId);
  await eraseFriction(userId);
  await eraseAudit(userId);
}
