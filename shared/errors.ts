import { currentLogger } from './log.ts';
import { recordDependencyUnavailable } from './metrics.ts';

/**
 * Typed errors of the API contract. Domain code throws these; the HTTP layer maps them to
 * `{"error": {code, message, details, requestId}}` with the status they carry. Anything else
 * that escapes a handler becomes a 500 INTERNAL without its message or stack.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(400, code, message, details);

export const validationFailed = (fields: Record<string, string>) =>
  new AppError(400, 'VALIDATION_FAILED', 'The request is not valid.', { fields });

export const unauthenticated = (code: string, message: string) => new AppError(401, code, message);

export const notFound = (what = 'resource') => new AppError(404, 'NOT_FOUND', `No such ${what}.`);

export const unprocessable = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(422, code, message, details);

export const serviceUnavailable = (code: string, message: string, retryAfterSeconds = 5) =>
  new AppError(503, code, message, undefined, { 'Retry-After': String(retryAfterSeconds) });

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** A dependency (Redis, DynamoDB, S3) failed: fail closed with 503 rather than guess. */
export const dependencyUnavailable = (dependency: string) =>
  new AppError(
    503,
    'DEPENDENCY_UNAVAILABLE',
    `A backing service (${dependency}) is unavailable; try again shortly.`,
    {
      dependency,
    },
    { 'Retry-After': '5' },
  );

/** Error names of AWS SDK calls that mean "slow down" or "try later", whatever their status. */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
  'ServiceUnavailable',
  'InternalServerError',
  'InternalError',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);
/** Errors the SDK's marshaller throws before any request is sent: the value we tried to write is bad. */
const MARSHALLING =
  /Special numeric value|MAX_SAFE_INTEGER|MIN_SAFE_INTEGER|Unsupported type passed|convertClassInstanceToMap|can't be converted to BigInt/;

interface SdkLikeError {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  cause?: { code?: string; name?: string; message?: string };
}

/**
 * What a failed dependency call means for the caller: `unavailable` (network, timeout, throttling,
 * 5xx: retry later, 503) or `refused` (the service or the SDK refused the request itself, e.g. a
 * DynamoDB ValidationException or a value the marshaller cannot write: our bug or unvalidated input,
 * 500; retrying cannot help). Unknown errors count as unavailable (fail closed, as before).
 */
export function classifyDependencyError(e: unknown): 'unavailable' | 'refused' {
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkLikeError;
  const status = err.$metadata?.httpStatusCode;
  if (err.name && THROTTLING.has(err.name)) return 'unavailable';
  if (err.code && NETWORK_CODES.has(err.code)) return 'unavailable';
  if (err.cause?.code && NETWORK_CODES.has(err.cause.code)) return 'unavailable';
  if (status !== undefined)
    return status >= 400 && status < 500 && status !== 429 ? 'refused' : 'unavailable';
  if (err.$fault === 'client' && err.name === 'ValidationException') return 'refused';
  if (e instanceof RangeError) return 'refused'; // e.g. a value too deep to serialise
  if (err.message && MARSHALLING.test(err.message)) return 'refused';
  return 'unavailable';
}

/** Loggable facts about a failure: names, codes and statuses, never request data or secrets. */
export function dependencyErrorCause(e: unknown): Record<string, unknown> {
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as SdkLikeError;
  // Upstash repeats the whole command (keys, values) after ", command was:"; SDK messages may quote values.
  const message = String(err.message ?? '')
    .replace(/, command was:[\s\S]*$/, '')
    .slice(0, 300);
  return {
    errorName: err.name,
    errorMessage: message,
    ...(err.code ? { errorCode: err.code } : {}),
    ...(err.cause?.code || err.cause?.name ? { causeCode: err.cause.code ?? err.cause.name } : {}),
    ...(err.$fault ? { fault: err.$fault } : {}),
    ...(err.$metadata?.httpStatusCode ? { httpStatus: err.$metadata.httpStatusCode } : {}),
    ...(err.$metadata?.requestId ? { awsRequestId: err.$metadata.requestId } : {}),
    ...(err.$metadata?.attempts ? { attempts: err.$metadata.attempts } : {}),
  };
}

/**
 * Turns the failure of a backing-service call into the error to answer, logging its cause in the
 * current request's log: 503 DEPENDENCY_UNAVAILABLE for outages, 500 INTERNAL (with the cause in the
 * log only) when the service refused what we sent.
 */
export function dependencyFailure(dependency: string, e: unknown): AppError {
  const kind = classifyDependencyError(e);
  const cause = { dependency, kind, ...dependencyErrorCause(e) };
  if (kind === 'refused') {
    currentLogger().error('dependency refused the request', cause);
    return new AppError(500, 'INTERNAL', 'Something went wrong on our side.');
  }
  currentLogger().warn('dependency unavailable', cause);
  recordDependencyUnavailable(dependency);
  return dependencyUnavailable(dependency);
}

/**
 * Runs a call to a backing service. Typed errors pass through; anything else becomes
 * `dependencyFailure` (503 naming the dependency, or 500 when the service refused the request), with
 * its cause logged.
 */
export async function viaDependency<T>(dependency: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (isAppError(e)) throw e;
    throw dependencyFailure(dependency, e);
  }
}
