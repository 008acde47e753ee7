/**
 * Preloaded into the stack's processes by `npm run bench:load` (NODE_OPTIONS=--import=<this file>);
 * acts only in serverless-offline's main thread and only with FACEGATE_BENCH_MAX_INSTANCES set.
 *
 * serverless-offline 13 starts a new worker thread (a new "container", with its own copy of the
 * face engine and models, ~250 MB) for every request that finds no idle one, without any limit. In
 * AWS each container gets its own CPU; on a two-core machine, 200 concurrent connections would start
 * ~200 of them, all loading models at once, and exhaust memory. This caps the containers of each
 * function at FACEGATE_BENCH_MAX_INSTANCES: a request beyond the cap waits (FIFO) for one to finish.
 * The wait is queueing that AWS would not have, which is why the bench reports function durations
 * (from the API's log) apart from what clients see.
 */
import { isMainThread } from 'node:worker_threads';

const cap = Number(process.env.FACEGATE_BENCH_MAX_INSTANCES);
const isOffline =
  isMainThread &&
  process.argv.some((arg) => arg.endsWith('serverless.js')) &&
  process.argv.includes('offline');

if (isOffline && cap > 0) {
  const lambdaModule = new URL('../../node_modules/serverless-offline/src/lambda/Lambda.js', import.meta.url);
  const { default: Lambda } = await import(lambdaModule.href);
  if (typeof Lambda?.prototype?.get !== 'function') {
    throw new Error('offline-instance-cap: serverless-offline Lambda has no get(); update this shim');
  }
  const originalGet = Lambda.prototype.get;
  /** functionKey -> containers running and the requests waiting for one. */
  const slots = new Map();
  const acquire = (key) => {
    const slot = slots.get(key) ?? { running: 0, waiting: [] };
    slots.set(key, slot);
    if (slot.running < cap) {
      slot.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => slot.waiting.push(resolve));
  };
  const release = (key) => {
    const slot = slots.get(key);
    const next = slot.waiting.shift();
    if (next)
      next(); // the slot passes straight to the next waiting request
    else slot.running -= 1;
  };

  // Callers do get(key) -> setClientContext?/setEvent -> runHandler(); the container is taken only
  // once a slot is free, so an idle one is reused and at most `cap` exist per function.
  Lambda.prototype.get = function get(functionKey) {
    const takeContainer = () => originalGet.call(this, functionKey);
    const call = { event: undefined, clientContext: undefined };
    return {
      setEvent(event) {
        call.event = event;
      },
      setClientContext(clientContext) {
        call.clientContext = clientContext;
      },
      async runHandler() {
        await acquire(functionKey);
        try {
          const container = takeContainer();
          if (call.clientContext !== undefined) container.setClientContext(call.clientContext);
          container.setEvent(call.event);
          return await container.runHandler();
        } finally {
          release(functionKey);
        }
      },
    };
  };
}
