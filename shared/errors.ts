import { currentLogger } from './log.ts';
import { recordDependencyUnavailable } from './metrics.ts';

/**
 * The error catalogue: every code the API answers, with its HTTP status and what it means. Handlers
 * and domain code throw `AppError`s by code; the status comes from here, the OpenAPI generator lists
 * the codes per operation from here (openapi/operations.ts), and openapi/errors.test.ts checks that
 * every code is thrown somewhere and documented.
 */
export const ERRORS = {
  VALIDATION_FAILED: {
    status: 400,
    meaning: 'The request does not match its schema; `details.fields` names each field.',
  },
  CAPTCHA_INCORRECT: {
    status: 400,
    meaning: 'The captcha answer is wrong; `details.attemptsLeft` says how many remain.',
  },
  BAD_PAYLOAD: {
    status: 400,
    meaning: "A sealed body (X-Payload-Encryption) does not open with this session's key, or is malformed.",
  },
  UNAUTHENTICATED: { status: 401, meaning: 'No valid session token: sign in (again).' },
  MISSING_SIGNATURE_HEADER: { status: 401, meaning: 'A request-signing header is missing or malformed.' },
  TIMESTAMP_SKEW: { status: 401, meaning: 'X-Timestamp is too far from the server clock.' },
  BAD_SIGNATURE: { status: 401, meaning: 'The request signature does not match the request as sent.' },
  REPLAYED_REQUEST: { status: 401, meaning: 'This nonce was already used.' },
  INVALID_LOGIN_CODE: { status: 401, meaning: 'The WeChat login code is invalid or already used.' },
  INVALID_EDGE_KEY: { status: 401, meaning: 'The edge key is missing, revoked, or not for this site.' },
  CAPTCHA_REQUIRED: {
    status: 403,
    meaning: 'Too many failed logins from this address: solve a captcha first.',
  },
  LOGIN_BLOCKED: { status: 403, meaning: 'WeChat flagged the account as high risk.' },
  POW_INVALID: {
    status: 403,
    meaning: 'The X-Pow-Solution is not a right solution of a challenge issued for this endpoint.',
  },
  NOT_FOUND: {
    status: 404,
    meaning: "No such resource for this caller (another user's ids are never found).",
  },
  FACE_LIMIT_REACHED: { status: 409, meaning: 'The person already has the most faces allowed.' },
  AMBIGUOUS_CAMERA: {
    status: 409,
    meaning: "Several of the caller's sites have this camera id; pass siteId.",
  },
  SITE_NOT_CONNECTED: { status: 409, meaning: 'The site has not reported its address yet.' },
  UPLOAD_INCOMPLETE: { status: 409, meaning: "The upload's object or parts are not all in S3 yet." },
  UPLOAD_NOT_PENDING: { status: 409, meaning: 'The upload was already completed, validated or rejected.' },
  UPLOAD_NOT_MULTIPART: { status: 409, meaning: 'The upload is a single POST; it has no parts.' },
  UPLOAD_NOT_VALIDATED: { status: 409, meaning: 'The upload is not validated yet; complete it first.' },
  SESSION_USED: { status: 409, meaning: 'The liveness session was already verified.' },
  LIVENESS_REPLAY: { status: 409, meaning: 'This exact image was already submitted for liveness.' },
  POW_REPLAYED: { status: 409, meaning: 'This proof-of-work solution was already used.' },
  CAPTCHA_EXPIRED: { status: 410, meaning: 'The captcha expired or was already used.' },
  SESSION_EXPIRED: { status: 410, meaning: 'The liveness session expired.' },
  POW_EXPIRED: { status: 410, meaning: 'The proof-of-work challenge is older than 120 s.' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The request body or upload exceeds the size limit.' },
  IMAGE_TOO_LARGE: { status: 413, meaning: 'The image has more pixels than allowed.' },
  FRAME_TOO_LARGE: { status: 413, meaning: 'A liveness frame exceeds the per-frame size limit.' },
  UNSUPPORTED_IMAGE: { status: 415, meaning: 'The bytes are not a JPEG, PNG or WebP image that decodes.' },
  NO_FACE: { status: 422, meaning: 'No face was found in the image.' },
  MULTIPLE_FACES: { status: 422, meaning: 'Enrolment needs exactly one clear face.' },
  LOW_QUALITY: { status: 422, meaning: 'The face is too small, blurred, dark or turned to enrol.' },
  CONSENT_REQUIRED: { status: 422, meaning: 'The person has no recorded consent.' },
  LIVENESS_REQUIRED: {
    status: 422,
    meaning: 'No passed liveness session binds this request; `details.problem` says why.',
  },
  UPLOAD_REJECTED: { status: 422, meaning: 'The upload failed validation.' },
  POW_REQUIRED: {
    status: 428,
    meaning: 'Solve `details.challenge` (proof of work) and retry with the solution in X-Pow-Solution.',
  },
  RATE_LIMITED: { status: 429, meaning: 'Too many requests this minute; see Retry-After.' },
  QUOTA_EXCEEDED: { status: 429, meaning: "The daily quota (the caller's or the service's) is used up." },
  LOGIN_RATE_LIMITED: { status: 429, meaning: 'WeChat refused: too many login attempts.' },
  INTERNAL: {
    status: 500,
    meaning: 'An unexpected failure on our side; the request id finds it in the logs.',
  },
  DESCRIPTOR_MISMATCH: {
    status: 500,
    meaning: 'Stored templates come from another model version; re-enrol.',
  },
  WECHAT_ERROR: { status: 502, meaning: 'WeChat answered with an error or an incomplete session.' },
  DEPENDENCY_UNAVAILABLE: {
    status: 503,
    meaning: 'A backing service is unavailable; `details.dependency` names it.',
  },
  WECHAT_BUSY: { status: 503, meaning: 'WeChat is busy; retry shortly.' },
  WECHAT_UNAVAILABLE: { status: 503, meaning: 'WeChat cannot be reached; retry shortly.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/**
 * A typed error of the API contract. The HTTP layer maps it to
 * `{"error": {code, message, details, requestId}}` with the catalogue's status. Anything else that
 * escapes a handler becomes a 500 INTERNAL without its message or stack.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code].meaning,
    readonly details?: Record<string, unknown>,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
  }
}

export const validationFailed = (fields: Record<string, string>) =>
  new AppError('VALIDATION_FAILED', 'The request is not valid.', { fields });

export const notFound = (what = 'resource') => new AppError('NOT_FOUND', `No such ${what}.`);

/** A 503 the client should retry after a pause. */
export const retryLater = (code: ErrorCode, message: string, retryAfterSeconds = 5) =>
  new AppError(code, message, undefined, { 'Retry-After': String(retryAfterSeconds) });

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** A dependency (Redis, DynamoDB, S3) failed: fail closed with 503 rather than guess. */
export const dependencyUnavailable = (dependency: string) =>
  new AppError(
    'DEPENDENCY_UNAVAILABLE',
    `A backing service (${dependency}) is unavailable; try again shortly.`,
    { dependency },
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
    return new AppError('INTERNAL', 'Something went wrong on our side.');
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
