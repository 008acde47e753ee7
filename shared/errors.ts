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

/** Runs a call to a backing service, turning its failures into a 503 that names the dependency. */
export async function viaDependency<T>(dependency: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (isAppError(e)) throw e;
    throw dependencyUnavailable(dependency);
  }
}
