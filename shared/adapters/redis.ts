import { Redis } from '@upstash/redis';
import { config } from '../config.ts';

let client: Redis | undefined;

/** The process-wide Upstash REST client; created on first use and reused while the container is warm. */
export function redis(): Redis {
  if (!client) {
    const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token } = config();
    // No automatic retries: a dependency that is down must fail fast (health, fail-closed limits).
    client = new Redis({ url, token, retry: { retries: 0 }, automaticDeserialization: false });
  }
  return client;
}
