import type { PowChallenge } from '../../shared/client/pow-solver.ts';

/**
 * The console's proof-of-work solver for the typed client: a Web Worker per challenge (pow-worker.ts,
 * whose hashed file name web/build.ts writes into index.html), ended once it has answered.
 */
export function solveInWorker(challenge: PowChallenge): Promise<string> {
  const script = document.querySelector<HTMLMetaElement>('meta[name="pow-worker"]')?.content;
  if (!script) return Promise.reject(new Error('The proof-of-work worker is missing from this build.'));
  const worker = new Worker(new URL(script, document.baseURI), { type: 'module' });
  return new Promise<string>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ solution?: string; error?: string }>) => {
      if (event.data.solution) resolve(event.data.solution);
      else reject(new Error(event.data.error ?? 'The proof of work failed.'));
    };
    worker.onerror = () => reject(new Error('The proof-of-work worker failed to start.'));
    worker.postMessage(challenge);
  }).finally(() => worker.terminate());
}
