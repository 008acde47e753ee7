import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { config } from './config.ts';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/**
 * One Powertools logger per container: JSON lines for CloudWatch Logs Insights with `level`, `message`,
 * `timestamp`, `service`, and, inside a Lambda invocation (see `lambdaLogContext`), `function_request_id`
 * and `cold_start`. LOG_SAMPLE_RATE turns on debug logging for that share of invocations.
 */
let root: PowertoolsLogger | undefined;

export function rootLogger(): PowertoolsLogger {
  root ??= new PowertoolsLogger({
    serviceName: 'facegate-api',
    logLevel: logSettings().level,
    sampleRateValue: logSettings().sampleRate,
  });
  return root;
}

/** The configured settings; defaults while configuration is invalid, so that the failure itself is logged. */
function logSettings() {
  try {
    const { LOG_LEVEL, LOG_SAMPLE_RATE } = config();
    return { level: LOG_LEVEL.toUpperCase() as 'INFO', sampleRate: LOG_SAMPLE_RATE };
  } catch {
    return { level: 'INFO' as const, sampleRate: 0 };
  }
}

/**
 * Field names whose values never reach a log line, whatever a caller passes: credentials, signatures and
 * image data. Callers pass metadata only; this is the backstop.
 */
const SECRET_FIELD =
  /secret|token|password|signature|signingkey|authorization|cookie|^(image|frames?|body|rawbody|bytes)$/i;

function redacted(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] =
      SECRET_FIELD.test(key) && typeof value !== 'number' && typeof value !== 'boolean'
        ? '[redacted]'
        : value;
  }
  return out;
}

/** A logger that adds `base` to every line it writes. */
export function createLogger(base: Record<string, unknown> = {}): Logger {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) =>
      rootLogger()[level](msg, redacted({ ...base, ...fields }));
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
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
  fallback ??= createLogger();
  return fallback;
}
