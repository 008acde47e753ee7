import { createLogger } from '../shared/log.ts';
import { sweepExpiredUploads } from '../shared/uploads/sweep.ts';

/** Scheduled (hourly): deletes uploads past UPLOAD_RETENTION_HOURS. Not an HTTP endpoint. */
export async function handler(): Promise<{ checked: number; removed: number }> {
  const result = await sweepExpiredUploads();
  createLogger({ fn: 'uploads-sweep' }).info('upload retention sweep', result);
  return result;
}
