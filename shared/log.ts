import { AsyncLocalStorage } from 'node:async_hooks';
import { config } from './config.ts';

type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/**
 * One JSON object per line, as CloudWatch Logs Insights expects. Callers pass metadata only:
 * never tokens, keys, signatures or image bytes.
 */
export function createLogger(base: Record<string, unknown> = {}): Logger {
  const threshold = order[logLevel()];
  const write = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < threshold) return;
    const line = JSON.stringify({ level, time: new Date().toISOString(), msg, ...base, ...fields });
    (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line + '\n');
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}

/** The configured level; `info` while configuration is invalid, so that the failure itself is logged. */
function logLevel(): Level {
  try {
    return config().LOG_LEVEL;
  } catch {
    return 'info';
  }
}

/**
 * The current request's logger (with its requestId and userId) for code that has none passed in, such
 * as `viaDependency`. The request-context middleware enters it; outside a request, a plain logger.
 */
const requestScope = new AsyncLocalStorage<{ log: Logger }>();
let fallback: Logger | undefined;

/** Makes `holder.log` the logger of everything that runs from here on in this request. */
export const enterRequestScope = (holder: { log: Logger }): void => requestScope.enterWith(holder);

export function currentLogger(): Logger {
  const scoped = requestScope.getStore()?.log;
  if (scoped) return scoped;
  fallback ??= createLogger({ service: 'facegate-api' });
  return fallback;
}
