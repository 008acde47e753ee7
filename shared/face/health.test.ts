import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createWasmEngine } from './wasm-engine.ts';

/** The engine's health is what GET /v1/health reports as `faceEngine`: it must never load the models. */

test('an unloaded engine reports its files without loading them; a loaded one reports itself', async () => {
  const engine = createWasmEngine();
  assert.deepEqual(engine.health(), { ok: true, warm: false, backend: 'wasm' });
  assert.equal(engine.health().warm, false, 'asking twice loaded nothing');
  await engine.warmup();
  assert.deepEqual(engine.health(), { ok: true, warm: true, backend: 'wasm' });
});

test('missing model files make the engine unhealthy, naming them', () => {
  const emptyModels = mkdtempSync(path.join(tmpdir(), 'facegate-models-'));
  const script = `
    import { createWasmEngine } from ${JSON.stringify(new URL('./wasm-engine.ts', import.meta.url).href)};
    console.log(JSON.stringify(createWasmEngine().health()));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, FACE_MODELS_DIR: emptyModels },
    encoding: 'utf8',
  });
  const health = JSON.parse(out.trim().split('\n').at(-1)!) as { ok: boolean; warm: boolean; error?: string };
  assert.equal(health.ok, false);
  assert.equal(health.warm, false);
  assert.match(health.error ?? '', /^missing: Face model file ".+" not found in .*facegate-models-/);
});
