import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * The application's metrics, written as CloudWatch embedded metric format (EMF) lines in the function's
 * log: CloudWatch turns them into metrics of namespace `Facegate` with no API call. Domain code calls
 * these few functions and never Powertools itself; the request-metrics middleware adds the per-request
 * set (Requests, Latency, 4xx, 5xx per endpoint) and flushes everything once per invocation.
 *
 * Names are part of the alarms and dashboard in ops/monitoring.cjs: change both together.
 */
export const METRICS_NAMESPACE = 'Facegate';
const SERVICE = 'facegate-api';

let metrics: Metrics | undefined;
/**
 * The invocation being served, written into every metric line as EMF metadata (a log field, not a
 * dimension) so that metrics and log lines of one request can be found together. A Lambda container
 * serves one invocation at a time.
 */
let requestId: string | undefined;

function store(): Metrics {
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE });
  return metrics;
}

export function beginRequest(id: string): void {
  requestId = id;
}

/** The per-request metrics, with the endpoint (route key, e.g. `POST /v1/faces/detect`) as dimension. */
export function recordRequest(endpoint: string, status: number, latencyMs: number): void {
  const m = store();
  m.addDimension('endpoint', endpoint);
  m.addMetric('Requests', MetricUnit.Count, 1);
  m.addMetric('Latency', MetricUnit.Milliseconds, latencyMs);
  m.addMetric('4xx', MetricUnit.Count, status >= 400 && status < 500 ? 1 : 0);
  m.addMetric('5xx', MetricUnit.Count, status >= 500 ? 1 : 0);
  withRequestId(m);
}

function withRequestId(m: Metrics): void {
  if (requestId) m.addMetadata('requestId', requestId);
}

/** Writes this invocation's metrics (one EMF line) and starts a fresh set. */
export function flushMetrics(): void {
  store().publishStoredMetrics();
  requestId = undefined;
}

/** Time the face engine spent on one inference call (detect, embed, liveness). */
export const recordInference = (operation: string, ms: number) =>
  single({ operation }, 'FaceInferenceMs', MetricUnit.Milliseconds, ms);

/** A face-result cache lookup: hit or miss. */
export const recordCacheLookup = (kind: string, hit: boolean) =>
  single({ kind }, hit ? 'CacheHits' : 'CacheMisses', MetricUnit.Count, 1);

/** A request refused by the face rate limit or a daily quota (`RATE_LIMITED`, `QUOTA_EXCEEDED`). */
export const recordRateLimitRejection = (code: string) =>
  single({ code }, 'RateLimitRejections', MetricUnit.Count, 1);

/** One liveness decision (single image or session burst). */
export const recordLiveness = (check: 'image' | 'session', live: boolean) =>
  single({ check }, live ? 'LivenessPass' : 'LivenessFail', MetricUnit.Count, 1);

/** A gallery (re)built from DynamoDB for a search: how many faces and how long it took. */
export function recordGalleryLoad(faces: number, ms: number): void {
  single({}, 'GalleryLoadMs', MetricUnit.Milliseconds, ms);
  single({}, 'GallerySize', MetricUnit.Count, faces);
}

/** A backing service failed in a way that answers 503 DEPENDENCY_UNAVAILABLE. */
export const recordDependencyUnavailable = (dependency: string) =>
  single({ dependency }, 'DependencyUnavailable', MetricUnit.Count, 1);

/**
 * One run of the edge sweep: sites it found silent and marked offline. Written on every run, 0 included,
 * so the series also shows that the sweep runs; the `edge-sites-offline` alarm watches it.
 */
export const recordSitesWentOffline = (sites: number) =>
  single({}, 'SitesWentOffline', MetricUnit.Count, sites);

/**
 * A metric with its own dimensions (service plus `dimensions`), written at once as its own EMF line, so
 * it never takes the request's endpoint dimension and alarms can address it by these dimensions alone.
 */
function single(
  dimensions: Record<string, string>,
  name: string,
  unit: (typeof MetricUnit)[keyof typeof MetricUnit],
  value: number,
): void {
  const one = store().singleMetric();
  for (const [key, v] of Object.entries(dimensions)) one.addDimension(key, v);
  withRequestId(one);
  one.addMetric(name, unit, value);
}
