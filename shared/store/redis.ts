import { Redis } from '@upstash/redis';
import { config } from '../config.ts';

let client: Redis | undefined;

/** Longest wait for one Redis command; normal round trips take milliseconds. */
const REDIS_TIMEOUT_MS = 5000;

/** The process-wide Upstash REST client; created on first use and reused while the container is warm. */
export function redis(): Redis {
  if (!client) {
    const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token } = config();
    // One immediate retry, for a keep-alive socket the server closed while the container was idle or
    // frozen; no backoff, so a dependency that is really down still fails fast (health, limits).
    // Plain JSON replies: the local REST emulator ignores base64 response encoding, and decoding its plain
    // replies as base64 garbles values such as "123" (values we store are UTF-8 text, so nothing is lost).
    client = new Redis({
      url,
      token,
      // fetch has no timeout of its own: a REST endpoint that accepts the connection but does not answer
      // would hold every request until the function times out. Give up instead: 503
      // DEPENDENCY_UNAVAILABLE (a TimeoutError counts as unavailable).
      signal: () => AbortSignal.timeout(REDIS_TIMEOUT_MS),
      retry: { retries: 1, backoff: () => 0 },
      automaticDeserialization: false,
      responseEncoding: false,
    });
  }
  return client;
}
