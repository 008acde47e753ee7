/**
 * Solves a proof-of-work challenge off the main thread (the page stays responsive for the few hundred
 * milliseconds to seconds a challenge takes). Built as its own bundle by web/build.ts; see pow.ts.
 */
import { solvePow, type PowChallenge } from '../../shared/client/pow-solver.ts';

self.onmessage = async (event: MessageEvent<PowChallenge>) => {
  try {
    self.postMessage({ solution: await solvePow(event.data) });
  } catch (error) {
    self.postMessage({ error: (error as Error).message });
  }
};
