import { sweepSilentSites, type SweepResult } from '../shared/cameras/sweep.ts';
import { createLogger } from '../shared/log.ts';
import { beginRequest, recordSitesWentOffline } from '../shared/metrics.ts';

/**
 * Scheduled (every minute): marks offline the cameras of edge sites whose heartbeats stopped and reports
 * how many sites went offline. Not an HTTP endpoint. The metric is a single-metric line, written as it is
 * recorded, so nothing is left buffered for a flush when the invocation ends.
 */
export async function handler(_event: unknown, context?: { awsRequestId?: string }): Promise<SweepResult> {
  if (context?.awsRequestId) beginRequest(context.awsRequestId);
  const result = await sweepSilentSites();
  recordSitesWentOffline(result.wentOffline);
  createLogger({ fn: 'edge-sweep' }).info('edge heartbeat sweep', { ...result });
  return result;
}
