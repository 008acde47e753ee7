import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from './camera.ts';
import { ConfigError, defaultJwksUrl, parseConfig } from './config.ts';
import { redact } from './redact.ts';

const minimal = () => ({
  port: 8090,
  publicUrl: 'https://cams.example.com',
  siteId: 'site-1',
  api: { baseUrl: 'https://api.example.com', edgeKey: 'file-key' },
  cameras: [{ cameraId: 'gate', name: 'Gate', url: 'rtsp://admin:hunter2@10.0.0.5:554/stream1' }],
});

const problems = (raw: unknown, env = {}) => {
  try {
    parseConfig(raw, env);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.message;
  }
  assert.fail('config was accepted');
};

test('applies defaults to a minimal config', () => {
  const config = parseConfig(minimal(), {});
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.heartbeatSeconds, 15);
  assert.deepEqual(config.backoff, { initialMs: 500, maxMs: 3000 });
  assert.deepEqual(
    {
      width: config.cameras[0]!.width,
      quality: config.cameras[0]!.quality,
      alwaysOn: config.cameras[0]!.alwaysOn,
    },
    { width: 640, quality: 75, alwaysOn: false },
  );
  assert.equal(
    defaultJwksUrl('https://api.example.com/'),
    'https://api.example.com/v1/.well-known/jwks.json',
  );
});

test('names every bad field without echoing secrets', () => {
  const raw = {
    ...minimal(),
    port: 70000,
    heartbeatSecond: 5,
    cameras: [
      { cameraId: 'a b', name: 'x', url: 'ftp://admin:hunter2@cam/' },
      { cameraId: 'gate', name: 'Gate', url: 'rtsp://cam/1', width: 641 },
      { cameraId: 'gate', name: 'Again', url: 'rtsp://cam/2' },
    ],
  };
  const message = problems(raw);
  for (const field of ['port', 'cameras.0.cameraId', 'cameras.0.url', 'cameras.1.width', 'heartbeatSecond']) {
    assert.match(message, new RegExp(`- ${field.replace('.', '\\.')}`), field);
  }
  assert.doesNotMatch(message, /hunter2/);
  assert.match(
    problems({ ...minimal(), cameras: [minimal().cameras[0], minimal().cameras[0]] }),
    /duplicate cameraId/,
  );
  assert.match(
    problems({ ...minimal(), jwksUrl: 'https://a/jwks', publicKey: { kty: 'EC' } }),
    /either jwksUrl or publicKey/,
  );
  assert.match(problems({ ...minimal(), api: { baseUrl: 'https://api' } }), /api\.edgeKey/);
});

test('EDGE_KEY and ${VAR} in camera URLs come from the environment', () => {
  const raw = { ...minimal(), api: { baseUrl: 'https://api.example.com' } };
  raw.cameras[0]!.url = 'rtsp://admin:${GATE_PASSWORD}@10.0.0.5/stream1';
  const config = parseConfig(raw, { EDGE_KEY: 'env-key', GATE_PASSWORD: 'p@ss/word' });
  assert.equal(config.api.edgeKey, 'env-key');
  assert.equal(config.cameras[0]!.url, 'rtsp://admin:p%40ss%2Fword@10.0.0.5/stream1');
  assert.match(problems(raw, { EDGE_KEY: 'k' }), /cameras\.0\.url: \$\{GATE_PASSWORD\} is not set/);
});

test('redact hides user info and query strings', () => {
  assert.equal(redact('rtsp://admin:hunter2@10.0.0.5:554/s1'), 'rtsp://***@10.0.0.5:554/s1');
  assert.equal(redact('rtsp://admin:p@ss@cam/s: 401'), 'rtsp://***@cam/s: 401');
  assert.equal(
    redact('open http://cam/video.cgi?user=admin&pwd=x failed'),
    'open http://cam/video.cgi?*** failed',
  );
  assert.equal(redact('{"source":"rtsp://u:p@h/x"}'), '{"source":"rtsp://***@h/x"}');
  assert.equal(redact('rtsp://cam.local/stream'), 'rtsp://cam.local/stream');
});

test('backoff grows exponentially up to the cap, with jitter in its upper half', () => {
  const opts = { initialMs: 500, maxMs: 3000 };
  assert.deepEqual(
    [0, 1, 2, 3, 10].map((n) => backoffDelay(n, opts, () => 1)),
    [500, 1000, 2000, 3000, 3000],
  );
  assert.deepEqual(
    [0, 1, 2, 3, 10].map((n) => backoffDelay(n, opts, () => 0)),
    [250, 500, 1000, 1500, 1500],
  );
});

test('camera ids follow the API rule: no ".", "..", leading dot or dash (camera-id.ts)', () => {
  for (const cameraId of ['.', '..', '.hidden', '-rf', 'a/b', 'a b', '', 'x'.repeat(65)]) {
    assert.match(
      problems({ ...minimal(), cameras: [{ ...minimal().cameras[0], cameraId }] }),
      /cameras\.0\.cameraId/,
      cameraId,
    );
  }
  for (const cameraId of ['gate', 'cam-1', 'front.door', 'A_9', 'x'.repeat(64)]) {
    assert.equal(
      parseConfig({ ...minimal(), cameras: [{ ...minimal().cameras[0], cameraId }] }, {}).cameras[0]!
        .cameraId,
      cameraId,
    );
  }
});

test('metricsToken: optional (then /metrics is open), at least 16 characters, EDGE_METRICS_TOKEN overrides', () => {
  assert.equal(parseConfig(minimal(), {}).metricsToken, undefined);
  assert.match(
    problems({ ...minimal(), metricsToken: 'short' }),
    /metricsToken: must be at least 16 characters/,
  );
  const fromEnv = parseConfig(
    { ...minimal(), metricsToken: 'file-token-0123456789' },
    { EDGE_METRICS_TOKEN: 'env-token-0123456789' },
  );
  assert.equal(fromEnv.metricsToken, 'env-token-0123456789');
});
