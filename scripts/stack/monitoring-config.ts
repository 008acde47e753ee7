import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { dataDir, edgeMetricsToken, ports, skippedByEnv } from './env.ts';

/**
 * The local monitoring: Prometheus scrapes the API's EMF metrics (through ops-bridge.ts) and the demo
 * edge-streamer, evaluates the same alarms as CloudWatch does on AWS (ops/monitoring.cjs, thresholds
 * from ops/alarm-settings.cjs), and hands firing and resolved alerts to Alertmanager, which posts them to
 * ops-bridge.ts, which forwards them to the WeCom robot as the alert function does.
 *
 * Written as JSON, which Prometheus and Alertmanager read as YAML, at each start, since ports move.
 * FACEGATE_ALERT_WINDOW shortens the 5-minute window of the rules (the test stack uses 30s so that an
 * alert fires and resolves within a test).
 */

const alarmSettings = createRequire(import.meta.url)('../../ops/alarm-settings.cjs') as () => {
  latencyP95Ms: number;
  minRequests: number;
  dependencyFailures: number;
};

export const monitoringDir = path.join(dataDir, 'monitoring');
const local = (port: number) => `127.0.0.1:${port}`;

function alertWindow(): string {
  const window = process.env.FACEGATE_ALERT_WINDOW || '5m';
  if (!/^\d+[smh]$/.test(window))
    throw new Error(`FACEGATE_ALERT_WINDOW must look like 30s or 5m, got "${window}"`);
  return window;
}

/** The rules, by the names and meanings of the CloudWatch alarms. */
export function alertRules(window = alertWindow()) {
  const { latencyP95Ms, minRequests, dependencyFailures } = alarmSettings();
  const increase = (metric: string, by = '') =>
    `sum${by ? ` by (${by})` : ''} (increase(${metric}[${window}]))`;
  const errorRate = (by = '') =>
    `(${increase('facegate_5xx_sum', by)} / ${increase('facegate_requests_sum', by)} > 0.05)` +
    ` and ${by ? `on (${by}) ` : ''}${increase('facegate_requests_sum', by)} >= ${minRequests}`;
  const page = { severity: 'page' };
  return {
    groups: [
      {
        name: 'facegate-api',
        rules: [
          {
            alert: 'ApiErrorRate',
            expr: errorRate(),
            labels: page,
            annotations: {
              summary: `More than 5 % of all API requests answered 5xx over ${window}.`,
              description: '{{ $value | humanizePercentage }} of the requests answered 5xx.',
            },
          },
          {
            alert: 'EndpointErrorRate',
            expr: errorRate('endpoint'),
            labels: page,
            annotations: {
              summary: `More than 5 % of {{ $labels.endpoint }} requests answered 5xx over ${window}.`,
              description: '{{ $value | humanizePercentage }} of the requests answered 5xx.',
            },
          },
          {
            alert: 'ApiLatencyP95',
            expr: `histogram_quantile(0.95, sum by (le) (rate(facegate_latency_ms_bucket[${window}]))) > ${latencyP95Ms}`,
            for: window,
            labels: page,
            annotations: {
              summary: `p95 API latency above ${latencyP95Ms} ms for two windows of ${window}.`,
              description: 'p95 is {{ $value | humanize }} ms.',
            },
          },
          {
            alert: 'DependencyUnavailable',
            expr: `${increase('facegate_dependency_unavailable_sum', 'dependency')} >= ${dependencyFailures}`,
            labels: page,
            annotations: {
              summary:
                'Requests answered 503 DEPENDENCY_UNAVAILABLE because {{ $labels.dependency }} failed.',
              description: `{{ $value | humanize }} such answers in ${window}.`,
            },
          },
        ],
      },
      {
        name: 'edge',
        rules: [
          {
            alert: 'EdgeSitesOffline',
            expr: `${increase('facegate_sites_went_offline_sum')} > 0`,
            labels: page,
            annotations: {
              summary: `An edge site stopped sending heartbeats (edgeSweep marked it offline) within ${window}.`,
              description: '{{ $value | humanize }} site(s) went offline.',
            },
          },
          {
            alert: 'EdgeStreamerDown',
            expr: 'up{job="edge-streamer"} == 0',
            for: '1m',
            labels: page,
            annotations: {
              summary: 'Prometheus cannot scrape the edge-streamer.',
              description: 'The streamer at {{ $labels.instance }} does not answer /metrics.',
            },
          },
          {
            alert: 'EdgeCameraNotOnline',
            expr: 'edge_camera_status{status="online"} == 0',
            for: '1m',
            labels: page,
            annotations: {
              summary: 'Camera {{ $labels.camera }} has not been online for a minute.',
              description: 'The streamer cannot read the camera’s RTSP stream.',
            },
          },
        ],
      },
    ],
  };
}

function prometheusConfig(rulesFile: string) {
  return {
    // Short intervals: a developer sees a request in a graph within seconds.
    global: { scrape_interval: '5s', evaluation_interval: '5s' },
    rule_files: [rulesFile],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [local(ports.alertmanager)] }] }] },
    scrape_configs: [
      { job_name: 'facegate-api', static_configs: [{ targets: [local(ports.opsBridge)] }] },
      // A streamer left out on purpose (FACEGATE_SKIP=edge, e.g. bench:load) is not reported down.
      ...(skippedByEnv('edge')
        ? []
        : [
            {
              job_name: 'edge-streamer',
              authorization: { credentials: edgeMetricsToken },
              static_configs: [{ targets: [local(ports.edge)] }],
            },
          ]),
    ],
  };
}

function alertmanagerConfig() {
  return {
    route: {
      receiver: 'wecom',
      // Every alert its own message (as every CloudWatch alarm is), sent at once, resolved ones too.
      group_by: ['...'],
      group_wait: '1s',
      // Longer than the relay may take (WeCom's 10 s timeout), so a slow robot is not sent it twice.
      group_interval: '30s',
      // State changes only, as CloudWatch notifies: no reminders of an alert still firing.
      repeat_interval: '8760h',
    },
    receivers: [
      {
        name: 'wecom',
        webhook_configs: [{ url: `http://${local(ports.opsBridge)}/alertmanager`, send_resolved: true }],
      },
    ],
  };
}

/** Writes the three files; returns their paths. */
export function writeMonitoringConfig() {
  mkdirSync(monitoringDir, { recursive: true });
  const file = (name: string, content: unknown) => {
    const target = path.join(monitoringDir, name);
    writeFileSync(target, `${JSON.stringify(content, null, 2)}\n`);
    return target;
  };
  const rules = file('alert-rules.yml', alertRules());
  return {
    rules,
    prometheus: file('prometheus.yml', prometheusConfig(rules)),
    alertmanager: file('alertmanager.yml', alertmanagerConfig()),
  };
}
