import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { modelFiles, wasmDir } from '../../shared/face/models.ts';

/**
 * Copies exactly the files the face engine reads (model graphs, weights, tfjs WASM binaries) into
 * `dist/face-assets/`, which serverless.yml ships inside each face function's artifact. At run
 * time the engine finds them through FACE_MODELS_DIR / FACE_WASM_DIR (set in serverless.yml).
 */
const root = path.resolve(import.meta.dirname, '../..');
const out = path.join(root, 'dist', 'face-assets');

rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'models'), { recursive: true });
mkdirSync(path.join(out, 'wasm'), { recursive: true });

const models = modelFiles();
for (const file of models) copyFileSync(file, path.join(out, 'models', path.basename(file)));
const wasm = readdirSync(wasmDir()).filter((f) => f.endsWith('.wasm'));
for (const file of wasm) copyFileSync(path.join(wasmDir(), file), path.join(out, 'wasm', file));

console.log(`face assets: ${models.length} model files, ${wasm.length} wasm binaries -> ${path.relative(root, out)}`);
