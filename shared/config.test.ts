import assert from 'node:assert/strict';
import { test } from 'node:test';
import { config, faceConfig } from './config.ts';

/** Without the API's variables the face section still loads; the whole configuration names what is missing. */

test('the face section validates on its own; the whole configuration names every missing field', () => {
  for (const name of ['UPSTASH_REDIS_REST_URL', 'AUTH_SECRET', 'WECHAT_APP_ID']) delete process.env[name];
  process.env.FACE_MODELS_DIR = 'dist/face-assets/models';
  process.env.FACE_WASM_DIR = ''; // serverless.yml's way of saying "unset"
  assert.deepEqual(faceConfig(), { FACE_MODELS_DIR: 'dist/face-assets/models' });
  assert.throws(config, /Invalid configuration: .*UPSTASH_REDIS_REST_URL.*AUTH_SECRET.*WECHAT_APP_ID/);
});
