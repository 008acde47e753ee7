import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { antispoofWeightsDir, modelFiles, wasmDir } from '../../shared/face/models.ts';

/**
 * Copies exactly the files the face engine reads (model graphs, weights, tfjs WASM binaries) into
 * `dist/face-assets/`, which serverless.yml ships inside each face function's artifact; the engine
 * finds them through FACE_MODELS_DIR / FACE_WASM_DIR. The local stack uses the same folder, so
 * serverless-offline runs with the layout Lambda has. Files are overwritten in place, never removed,
 * so a package run never pulls models from under a running local API.
 */
const root = path.resolve(import.meta.dirname, '../..');

export function collectFaceAssets(out = path.join(root, 'dist', 'face-assets')) {
  const modelsDir = path.join(out, 'models');
  const wasmOut = path.join(out, 'wasm');
  mkdirSync(modelsDir, { recursive: true });
  mkdirSync(wasmOut, { recursive: true });
  const models = modelFiles();
  for (const file of models) copyFileSync(file, path.join(modelsDir, path.basename(file)));
  // The MiniFASNet weights are Apache-2.0: their licence and notice travel with them.
  for (const file of ['LICENSE', 'NOTICE.md'])
    copyFileSync(path.join(antispoofWeightsDir(), file), path.join(modelsDir, `MiniFASNet-${file}`));
  const wasm = readdirSync(wasmDir()).filter((f) => f.endsWith('.wasm'));
  for (const file of wasm) copyFileSync(path.join(wasmDir(), file), path.join(wasmOut, file));
  return { modelsDir, wasmDir: wasmOut, modelCount: models.length, wasmCount: wasm.length };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { modelsDir, modelCount, wasmCount } = collectFaceAssets();
  console.log(
    `face assets: ${modelCount} model files, ${wasmCount} wasm binaries -> ${path.relative(root, path.dirname(modelsDir))}`,
  );
}
