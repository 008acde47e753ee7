import { sweepSilentSites, type SweepResult } from '../shared/cameras/sweep.ts';
import { createLogger } from '../shared/log.ts';
import { beginRequest } from '../shared/metrics.ts';

/**
 * Scheduled (every minute): marks offline the cameras of edge sites whose heartbeats stopped and reports
 * how many sites went offline. Not an HTTP endpoint. The sweep writes its metric as a single-metric line
 * at once, so nothing is left buffered for a flush when the invocation ends.
 */
export async function handler(_event: unknown, context?: { awsRequestId?: string }): Promise<SweepResult> {
  if (context?.awsRequestId) beginRequest(context.awsRequestId);
  const result = await sweepSilentSites();
  createLogger({ fn: 'edge-sweep' }).info('edge heartbeat sweep', { ...result });
  return result;
}
