import type { Camera } from './camera.ts';
import type { HeartbeatBody } from './heartbeat-schema.ts';
import type { Logger } from './log.ts';
import { redact } from './redact.ts';

export interface HeartbeatStats {
  ok: number;
  failed: number;
  lastSuccessAt: number | undefined;
}

export interface Heartbeat {
  readonly stats: HeartbeatStats;
  /** Sends soon (a status changed) unless the cloud is failing and we are backing off. */
  nudge(): void;
  stop(): void;
}

const REQUEST_TIMEOUT_MS = 5000;
const MAX_BACKOFF_MS = 5 * 60_000;
const NUDGE_DELAY_MS = 1000;

export function heartbeatBody(siteId: string, publicUrl: string, cameras: Camera[]): HeartbeatBody {
  return {
    siteId,
    publicUrl,
    cameras: cameras.map((c) => {
      const fps = Math.round((c.fps ?? 0) * 10) / 10; // the API wants a positive number or nothing
      return {
        cameraId: c.id,
        name: c.config.name,
        status: c.status,
        ...c.size,
        ...(fps > 0 ? { fps } : {}),
      };
    }),
  };
}

/**
 * POSTs `{api.baseUrl}/v1/edge/heartbeat` every interval with the edge key. The cloud being
 * unreachable never affects streaming: failures are logged once per outage and retried with an
 * exponential backoff (with jitter) capped at five minutes.
 */
export function startHeartbeat(options: {
  apiBaseUrl: string;
  edgeKey: string;
  intervalMs: number;
  body: () => HeartbeatBody;
  log: Logger;
}): Heartbeat {
  const url = new URL('v1/edge/heartbeat', options.apiBaseUrl.replace(/\/?$/, '/')).href;
  const stats: HeartbeatStats = { ok: 0, failed: 0, lastSuccessAt: undefined };
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let dueAt = 0;
  let sending = false;
  let stopped = false;

  const schedule = (delayMs: number) => {
    clearTimeout(timer);
    dueAt = Date.now() + delayMs;
    timer = setTimeout(send, delayMs);
  };

  async function send(): Promise<void> {
    sending = true;
    let problem: string | undefined;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${options.edgeKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(options.body()),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) problem = `HTTP ${res.status}${res.status === 401 ? ' (check the edge key)' : ''}`;
    } catch (e) {
      problem = (e as Error).cause ? `${(e as Error).message}: ${String((e as Error).cause)}` : String(e);
    }
    sending = false;
    if (stopped) return;
    if (problem === undefined) {
      stats.ok += 1;
      stats.lastSuccessAt = Date.now();
      if (failures > 0) options.log.info('heartbeat restored', { after: failures });
      failures = 0;
      schedule(options.intervalMs);
      return;
    }
    stats.failed += 1;
    if (failures === 0)
      options.log.warn('heartbeat failed; streaming continues', { url, problem: redact(problem) });
    failures += 1;
    const ceiling = Math.min(MAX_BACKOFF_MS, options.intervalMs * 2 ** Math.min(failures - 1, 20));
    schedule(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  schedule(0);
  return {
    stats,
    nudge() {
      if (stopped || sending || failures > 0) return;
      if (dueAt - Date.now() > NUDGE_DELAY_MS) schedule(NUDGE_DELAY_MS);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
