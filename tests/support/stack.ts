import { startService, stopService } from '../../scripts/stack/control-client.ts';
import type { ServiceName } from '../../scripts/stack/services.ts';

/**
 * What integration tests need to know about the local stack that `npm test` runs: where things are
 * (`urls.api` is the API base including `/v1`), clients bound to the emulators, and a way to take one
 * dependency down for a while.
 */

export { apiEnv, ports, urls } from '../../scripts/stack/env.ts';
export { localDynamoDB, localRedis, localS3 } from '../../scripts/stack/clients.ts';
export { startService, stopService, stackStatus } from '../../scripts/stack/control-client.ts';
export type { ServiceName };

/**
 * Runs `body` while one service of the stack is stopped, and starts it again (and waits until it is
 * ready) afterwards, even when `body` throws. Stopping `redis-rest` makes Redis calls fail at once
 * (connection refused); stopping `redis` leaves the REST emulator up, and its calls then hang for ~10 s
 * before a 500 while it retries the connection. A file that uses this must be named `*.serial.test.ts`
 * so that it runs alone, not while another file relies on the service.
 */
export async function withServiceStopped<T>(name: ServiceName, body: () => Promise<T>): Promise<T> {
  await stopService(name);
  try {
    return await body();
  } finally {
    await startService(name);
  }
}
