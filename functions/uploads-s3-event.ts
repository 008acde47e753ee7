import type { S3Event } from 'aws-lambda';
import { createLogger } from '../shared/log.ts';
import { validateObjectKey } from '../shared/uploads/validate.ts';

/**
 * The bucket's s3:ObjectCreated:* notification (prefix `uploads/`): validates uploads as soon as they land,
 * whether or not the client calls complete. Not an HTTP endpoint. Every record is attempted; if any
 * failed (a dependency was down), the invocation fails so that Lambda retries it, which is safe because
 * validation is idempotent.
 */
export async function handler(event: S3Event): Promise<void> {
  const log = createLogger({ fn: 'uploads-s3-event' });
  const keys = event.Records.map((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')));
  const results = await Promise.allSettled(keys.map((key) => validateObjectKey(key)));
  const failed = keys.filter((_, i) => results[i]!.status === 'rejected');
  for (const [i, result] of results.entries()) {
    if (result.status === 'rejected')
      log.error('upload validation failed', { key: keys[i], error: String(result.reason) });
  }
  if (failed.length > 0) throw new Error(`validation failed for ${failed.length} of ${keys.length} objects`);
}
