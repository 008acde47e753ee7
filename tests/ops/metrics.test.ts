import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { FacegateClient } from '../../shared/client/client.ts';
import { urls } from '../support/stack.ts';
import { fixtureBase64 } from '../support/fixtures.ts';
import { dimensionsOf, emfLines, metricNames, type EmfLine } from '../support/emf.ts';

/**
 * Real requests through serverless-offline; their embedded-metric-format lines are read back from the
 * API's log and checked the way CloudWatch would read them: namespace, dimensions and values of the
 * `_aws` block.
 */
const emfLinesOf = (requestId: string) => emfLines().filter((line) => line.requestId === requestId);

/** The lines of a request, once its per-request line (written last, by the outermost middleware) is there. */
async function metricsOf(requestId: string): Promise<EmfLine[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const lines = emfLinesOf(requestId);
    if (lines.some((l) => 'Requests' in l)) return lines;
    await sleep(100);
  }
  assert.fail(`no EMF line for request ${requestId} in api.log`);
}

test('each request writes Requests, Latency, 4xx and 5xx for its endpoint', async () => {
  const ok = await fetch(`${urls.api}/.well-known/jwks.json`);
  assert.equal(ok.status, 200);
  const [line] = (await metricsOf(ok.headers.get('x-request-id')!)).filter((l) => 'Requests' in l);
  assert.ok(line);
  assert.equal(line._aws.CloudWatchMetrics[0]!.Namespace, 'Facegate');
  assert.deepEqual(dimensionsOf(line), ['service', 'endpoint']);
  assert.equal(line.endpoint, 'GET /v1/.well-known/jwks.json');
  assert.deepEqual(metricNames(line).sort(), ['4xx', '5xx', 'Latency', 'Requests']);
  assert.equal(line.Requests, 1);
  assert.equal(line['4xx'], 0);
  assert.equal(line['5xx'], 0);
  assert.ok(typeof line.Latency === 'number' && line.Latency >= 0);

  const denied = await fetch(`${urls.api}/me`);
  assert.equal(denied.status, 401);
  const [deniedLine] = (await metricsOf(denied.headers.get('x-request-id')!)).filter((l) => 'Requests' in l);
  assert.equal(deniedLine!.endpoint, 'GET /v1/me');
  assert.equal(deniedLine!['4xx'], 1);
  assert.equal(deniedLine!['5xx'], 0);
});

test('a face request also reports inference time and the result cache', async () => {
  const client = await FacegateClient.login(new URL(urls.api).origin, `test:metrics-${process.pid}`);
  const body = { image: fixtureBase64('misc/faces.jpg'), maxFaces: 1 };
  const first = await client.post('/v1/faces/detect', body);
  assert.equal(first.status, 200);
  const firstLines = await metricsOf(first.headers.get('x-request-id')!);
  const inference = firstLines.find((l) => 'FaceInferenceMs' in l);
  assert.ok(inference, 'FaceInferenceMs line');
  assert.deepEqual(dimensionsOf(inference), ['service', 'operation']);
  assert.ok((inference.FaceInferenceMs as number) > 0);
  assert.ok(firstLines.some((l) => l.CacheMisses === 1 && l.kind === 'detect'));

  const again = await client.post('/v1/faces/detect', body);
  assert.equal(again.body.cached, true);
  const againLines = await metricsOf(again.headers.get('x-request-id')!);
  assert.ok(againLines.some((l) => l.CacheHits === 1 && l.kind === 'detect'));
  assert.ok(!againLines.some((l) => 'FaceInferenceMs' in l), 'a cache hit runs no inference');
  const request = againLines.find((l) => 'Requests' in l)!;
  assert.equal(request.endpoint, 'POST /v1/faces/detect');
  assert.ok(metricNames(request).includes('Latency'));
});
