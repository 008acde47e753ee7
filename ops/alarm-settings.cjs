/**
 * Alarm thresholds, one source for the CloudWatch alarms (serverless.yml custom.alarms, read by
 * ops/monitoring.cjs) and for the local stack's Prometheus rules (scripts/stack/monitoring-config.ts),
 * so both judge by the same numbers. Each is overridden by its environment variable.
 */
const number = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
};

module.exports = () => ({
  // p95 latency of the API, in milliseconds, above which the latency alarm fires.
  latencyP95Ms: number('ALARM_LATENCY_P95_MS', 3000),
  // An error rate is judged once this many requests were served in the 5 minutes.
  minRequests: number('ALARM_MIN_REQUESTS', 20),
  // 503 DEPENDENCY_UNAVAILABLE answers per dependency in 5 minutes that raise its alarm.
  dependencyFailures: number('ALARM_DEPENDENCY_FAILURES', 5),
  // Alarm while no edge site at all sends heartbeats (turn on once sites are deployed); the per-site
  // edge-sites-offline alarm is always on.
  edgeHeartbeat: process.env.ALARM_EDGE_HEARTBEAT === 'true',
});
