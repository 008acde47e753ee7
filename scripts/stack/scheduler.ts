import { invokeFunction } from './invoke.ts';

/**
 * The local stand-in for EventBridge schedules: serverless-offline runs no `schedule` events, so this
 * process invokes the scheduled functions, once at start and then at a local rate. On AWS the rates in
 * serverless.yml apply; locally they are shorter so that a developer sees the effect within minutes.
 */
const SCHEDULED = [
  { key: 'uploadsSweep', everyMs: 60_000 },
  { key: 'edgeSweep', everyMs: 60_000 },
];

for (const { key, everyMs } of SCHEDULED) {
  const run = async () => {
    try {
      console.log(`${new Date().toISOString()} ${key}: ${JSON.stringify(await invokeFunction(key))}`);
    } catch (error) {
      console.error(`${new Date().toISOString()} ${key} failed: ${(error as Error).message}`);
    }
    setTimeout(run, everyMs);
  };
  void run();
}
