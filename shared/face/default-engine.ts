import type { FaceEngine } from './engine.ts';
import { createWasmEngine } from './wasm-engine.ts';

/**
 * The process-wide engine, lazy: nothing heavy happens until its first call. Apart from engine.ts (the
 * interface every implementation follows) so that implementations never import their own factory.
 */
let engine: FaceEngine | undefined;

export function getFaceEngine(): FaceEngine {
  engine ??= createWasmEngine();
  return engine;
}
