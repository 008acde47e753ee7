import { recordInference } from '../metrics.ts';
import type { FaceEngine } from './engine.ts';
import { createWasmEngine } from './wasm-engine.ts';

/**
 * The process-wide engine, lazy: nothing heavy happens until its first call. Apart from engine.ts (the
 * interface every implementation follows) so that implementations never import their own factory.
 */
let engine: FaceEngine | undefined;

export function getFaceEngine(): FaceEngine {
  engine ??= timed(createWasmEngine());
  return engine;
}

/** Every detection (detector, mesh, embedding and liveness models in one call) is a FaceInferenceMs sample. */
function timed(inner: FaceEngine): FaceEngine {
  return Object.assign(Object.create(inner) as FaceEngine, {
    detect: async (...args: Parameters<FaceEngine['detect']>) => {
      const startedAt = performance.now();
      try {
        return await inner.detect(...args);
      } finally {
        recordInference('detect', Math.round(performance.now() - startedAt));
      }
    },
  });
}
