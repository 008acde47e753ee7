import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FacegateClient, signatureHeaders } from '../../shared/client/client.ts';
import { repoRoot } from '../../scripts/stack/env.ts';
import { urls } from '../support/stack.ts';
import { fixtureBase64 } from '../support/fixtures.ts';
import { assertMonitoring } from './monitoring-template.ts';

// Runs alone (serial): packaging keeps both cores busy for minutes.
// `serverless package` offline, then each artifact is unzipped outside the repository (so nothing
// resolves from its node_modules) and its handler invoked with an HTTP API event: proves the bundle,
// native sharp for linux-x64 and the model files are all inside the zip.
const work = mkdtempSync(path.join(tmpdir(), 'facegate-artifact-'));
const outDir = path.join(work, 'package');

function unzip(name: string): string {
  const dir = path.join(work, name);
  execFileSync('python3', ['-m', 'zipfile', '-e', path.join(outDir, `${name}.zip`), dir]);
  return dir;
}

function httpEvent(method: string, rawPath: string, headers: Record<string, string>, body?: string) {
  return {
    version: '2.0',
    rawPath,
    rawQueryString: '',
    headers,
    body,
    isBase64Encoded: false,
    requestContext: { requestId: `artifact-${Date.now()}`, http: { method, sourceIp: '127.0.0.1' } },
  };
}

/** Loads a handler from an unpacked artifact with the cwd Lambda would have (/var/task). */
async function invoke(dir: string, file: string, event: unknown) {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const mod = await import(pathToFileURL(path.join(dir, file)).href);
    return await mod.handler(event, { awsRequestId: 'artifact-test' });
  } finally {
    process.chdir(cwd);
  }
}

test('serverless package works offline and its artifacts answer', { timeout: 15 * 60_000 }, async (t) => {
  t.after(() => rmSync(work, { recursive: true, force: true }));
  execFileSync('npm', ['run', 'package', '--', '--stage', 'ci', '--package', outDir], {
    cwd: repoRoot,
    stdio: 'ignore',
  });
  await t.test('the template holds the alarms, their topic, the alert function, dashboard and queries', () =>
    assertMonitoring(path.join(outDir, 'cloudformation-template-update-stack.json')),
  );
  // In Lambda the working directory is the artifact root; the face engine finds dist/face-assets there.
  delete process.env.FACE_MODELS_DIR;
  delete process.env.FACE_WASM_DIR;
  process.env.FACE_MODELS_DIR = 'dist/face-assets/models';
  process.env.FACE_WASM_DIR = 'dist/face-assets/wasm';

  const health = await invoke(unzip('health'), 'functions/health.mjs', httpEvent('GET', '/v1/health', {}));
  assert.equal(health.statusCode, 200, health.body);
  assert.deepEqual(JSON.parse(health.body).dependencies, {
    dynamodb: 'ok',
    s3: 'ok',
    redis: 'ok',
    faceEngine: 'ok',
  });

  const client = await FacegateClient.login(new URL(urls.api).origin, `test:artifact-${process.pid}`);
  const body = JSON.stringify({ image: fixtureBase64('misc/faces.jpg') });
  const headers = await signatureHeaders({
    method: 'POST',
    path: '/v1/faces/detect',
    query: [],
    body: new TextEncoder().encode(body),
    signingKey: client.session!.signingKey,
  });
  const detect = await invoke(
    unzip('facesDetect'),
    'functions/faces-detect.mjs',
    httpEvent(
      'POST',
      '/v1/faces/detect',
      { ...headers, authorization: `Bearer ${client.session!.token}` },
      body,
    ),
  );
  assert.equal(detect.statusCode, 200, detect.body);
  assert.equal(JSON.parse(detect.body).faceCount, 6);
});
