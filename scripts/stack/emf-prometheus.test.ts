import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmfRegistry } from './emf-prometheus.ts';

/** An EMF record as Powertools writes it for one request (shared/metrics.ts recordRequest). */
const requestLine = (endpoint: string, status: number, latencyMs: number) =>
  JSON.stringify({
    _aws: {
      Timestamp: 1_700_000_000_000,
      CloudWatchMetrics: [
        {
          Namespace: 'Facegate',
          Dimensions: [['service', 'endpoint']],
          Metrics: [
            { Name: 'Requests', Unit: 'Count' },
            { Name: 'Latency', Unit: 'Milliseconds' },
            { Name: '4xx', Unit: 'Count' },
            { Name: '5xx', Unit: 'Count' },
          ],
        },
      ],
    },
    service: 'facegate-api',
    endpoint,
    Requests: 1,
    Latency: latencyMs,
    '4xx': status >= 400 && status < 500 ? 1 : 0,
    '5xx': status >= 500 ? 1 : 0,
    requestId: 'r-1',
  });

const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test('request records become sum/count per endpoint and a latency histogram in ms', () => {
  const registry = new EmfRegistry();
  // serverless-offline prefixes each worker line; the record starts at `{"_aws"`.
  registry.ingest(`(λ: health) ${requestLine('GET /v1/health', 200, 12)}`);
  registry.ingest(requestLine('GET /v1/health', 503, 3100));
  registry.ingest(requestLine('POST /v1/search', 200, 700));
  // A series first shows 0, so that Prometheus' increase() sees its first values.
  const first = registry.exposition();
  assert.equal(sample(first, 'facegate_5xx_sum{service="facegate-api",endpoint="GET /v1/health"}'), 0);
  assert.equal(
    sample(first, 'facegate_latency_ms_count{service="facegate-api",endpoint="GET /v1/health"}'),
    0,
  );
  const text = registry.exposition();

  const health = '{service="facegate-api",endpoint="GET /v1/health"}';
  assert.equal(sample(text, `facegate_requests_sum${health}`), 2);
  assert.equal(sample(text, `facegate_requests_count${health}`), 2);
  assert.equal(sample(text, `facegate_5xx_sum${health}`), 1);
  assert.equal(sample(text, `facegate_latency_ms_sum${health}`), 3112);
  assert.equal(
    sample(text, 'facegate_latency_ms_bucket{service="facegate-api",endpoint="GET /v1/health",le="25"}'),
    1,
  );
  assert.equal(
    sample(text, 'facegate_latency_ms_bucket{service="facegate-api",endpoint="GET /v1/health",le="+Inf"}'),
    2,
  );
  assert.equal(sample(text, 'facegate_5xx_sum{service="facegate-api",endpoint="POST /v1/search"}'), 0);
  assert.match(text, /# TYPE facegate_latency_ms histogram/);
  assert.match(text, /# TYPE facegate_requests summary/);
  assert.equal(sample(text, 'facegate_emf_records_total'), 3);
});

test('array values, other units, label escaping and lines that are not EMF', () => {
  const registry = new EmfRegistry();
  registry.ingest('GET /v1/health (λ: health) RequestId: 1 Duration: 3 ms');
  registry.ingest('{"_aws": broken');
  registry.ingest('{"_aws":{"CloudWatchMetrics":[null]}}');
  registry.ingest('{"_aws":{"CloudWatchMetrics":[{"Namespace":"Facegate","Metrics":[{"Name":"X"}]}]}}');
  registry.ingest(
    JSON.stringify({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'Facegate',
            Dimensions: [['service', 'operation']],
            Metrics: [
              { Name: 'FaceInferenceMs', Unit: 'Milliseconds' },
              { Name: 'Load', Unit: 'Seconds' },
            ],
          },
        ],
      },
      service: 'facegate-api',
      operation: 'detect "fast"\\',
      FaceInferenceMs: [40, 60],
      Load: 2,
    }),
  );
  // The same name from another unit is refused rather than summed with it.
  registry.ingest(
    JSON.stringify({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'Facegate',
            Dimensions: [['1st', 'le']],
            Metrics: [
              { Name: 'LoadMs', Unit: 'Count' },
              { Name: 'Jobs', Unit: 'Count' },
            ],
          },
        ],
      },
      '1st': 'a',
      le: 'b',
      LoadMs: 1,
      Jobs: 3,
    }),
  );
  registry.exposition();
  const text = registry.exposition();
  assert.equal(sample(text, 'facegate_jobs_sum{_1st="a",dim_le="b"}'), 3, 'label names made valid');
  const labels = '{service="facegate-api",operation="detect \\"fast\\"\\\\"}';
  assert.equal(sample(text, `facegate_face_inference_ms_count${labels}`), 2);
  assert.equal(sample(text, `facegate_face_inference_ms_sum${labels}`), 100);
  assert.equal(sample(text, `facegate_load_ms_sum${labels}`), 2000, 'seconds are kept in ms');
  assert.equal(sample(text, 'facegate_emf_records_total'), 2);
  assert.equal(
    sample(text, 'facegate_emf_rejected_total'),
    4,
    'broken JSON, two bad directives, a unit clash',
  );
});
