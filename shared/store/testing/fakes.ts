import assert from 'node:assert/strict';
import { beforeEach, type TestContext } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { AppError, type ErrorCode } from '../../errors.ts';

/**
 * Fakes for the stores' fast unit tests (`shared/store/*.test.ts`): SDK client mocks, the errors the SDKs
 * throw, and a fake `fetch` that answers the Upstash REST protocol. The stores' behaviour against real
 * services is proven over HTTP by the stack tests; these check what only a unit test shows cheaply: the
 * exact requests, paging, batching and how failures are translated.
 *
 * Import this module before the stores: it sets the environment `config()` validates on first use, with
 * names that show they come from the configuration and endpoints that refuse connections, so a call
 * that escapes its mock fails at once instead of reaching a running stack.
 */

/** Nothing listens on the discard port: a request that escapes its mock is refused at once. */
export const REFUSING_ENDPOINT = 'http://127.0.0.1:9';
export const TABLE = 'unit-table';
export const BUCKET = 'unit-bucket';
/** The endpoint presigned URLs must name (browsers and phones cannot reach the internal one). */
export const PUBLIC_S3_ENDPOINT = 'https://files.unit.test';

Object.assign(process.env, {
  STAGE: 'local',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'UNITTESTKEY',
  AWS_SECRET_ACCESS_KEY: 'unit-test-secret',
  TABLE_NAME: TABLE,
  BUCKET_NAME: BUCKET,
  DYNAMODB_ENDPOINT: REFUSING_ENDPOINT,
  S3_ENDPOINT: REFUSING_ENDPOINT,
  S3_PUBLIC_ENDPOINT: PUBLIC_S3_ENDPOINT,
  UPSTASH_REDIS_REST_URL: REFUSING_ENDPOINT,
  UPSTASH_REDIS_REST_TOKEN: 'unit-token',
  AUTH_SECRET: 'unit-test-only-auth-secret-0123456789abcdef',
  WECHAT_APP_ID: 'wx-unit',
  WECHAT_APP_SECRET: 'unit-secret',
  // Translated failures log a warning and count a metric: keep the test output to the tests.
  LOG_LEVEL: 'error',
  POWERTOOLS_METRICS_DISABLED: 'true',
  UPSTASH_DISABLE_TELEMETRY: '1',
});

/** A client mock (every instance answers from it, nothing until told), cleared before each test. */
function resetBeforeEach<T extends { reset(): unknown }>(stub: T): T {
  beforeEach(() => stub.reset());
  return stub;
}

/** The DynamoDB document client, mocked for the test file. */
export const mockTable = () => resetBeforeEach(mockClient(DynamoDBDocumentClient));

/** The S3 client, mocked for the test file. */
export const mockBucket = () => resetBeforeEach(mockClient(S3Client));

/** The input of each call of one command, in order. */
export function sent<TInput extends object>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any client's stub
  stub: AwsStub<any, any, any>,
  command: new (input: TInput) => { input: TInput },
): TInput[] {
  return stub
    .calls()
    .map((call) => call.args[0])
    .filter((sentCommand) => sentCommand instanceof command)
    .map((sentCommand) => sentCommand.input as TInput);
}

// ---- what the SDKs throw ----

/** An AWS service error as the SDK throws it: name, fault and HTTP status. */
export const serviceError = (name: string, httpStatusCode: number) =>
  Object.assign(new Error(`${name} (unit test)`), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });

export const throttled = () => serviceError('ThrottlingException', 400);

/** DynamoDB refusing the request itself (our bug, not an outage). */
export const validationError = () => serviceError('ValidationException', 400);

/** A write whose condition did not hold (as DynamoDB's ConditionalCheckFailedException). */
export const conditionFailed = () => serviceError('ConditionalCheckFailedException', 400);

/** What the HTTP layer throws when nothing listens (the SDK's handler, or fetch's cause). */
export const connectionRefused = () =>
  Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });

// ---- assertions ----

/** The promise rejects with this AppError: code, HTTP status and, if given, details. */
export async function assertAppError(
  promise: Promise<unknown>,
  expected: { code: ErrorCode; status: number; details?: Record<string, unknown> },
): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected an AppError, got ${String(e)}`);
    assert.deepEqual(
      { code: e.code, status: e.status, details: e.details },
      { details: undefined, ...expected },
    );
    return true;
  });
}

/** The promise rejects with 503 DEPENDENCY_UNAVAILABLE naming `dependency` (an outage: retry later). */
export const assertUnavailable = (promise: Promise<unknown>, dependency: 'dynamodb' | 's3' | 'redis') =>
  assertAppError(promise, { code: 'DEPENDENCY_UNAVAILABLE', status: 503, details: { dependency } });

/** The promise rejects with 500 INTERNAL (the service refused the request: our bug, retrying cannot help). */
export const assertRefused = (promise: Promise<unknown>) =>
  assertAppError(promise, { code: 'INTERNAL', status: 500 });

// ---- Redis (Upstash REST over fetch) ----

/**
 * Replaces `fetch` for one test with a fake Upstash REST endpoint: `reply` answers each command (e.g.
 * `['set', 'k', 'v', 'nx', 'ex', 30]`; throwing answers an error), single or pipelined (the client
 * batches commands of one tick to `/pipeline`). Returns the commands received, in order.
 */
export function fakeRedis(t: TestContext, reply: (command: unknown[]) => unknown): unknown[][] {
  const commands: unknown[][] = [];
  t.mock.method(globalThis, 'fetch', async (url: string | URL, init: RequestInit) => {
    assert.ok(String(url).startsWith(REFUSING_ENDPOINT), String(url));
    const pipelined = String(url).endsWith('/pipeline');
    const body = JSON.parse(String(init.body)) as unknown[];
    const results = (pipelined ? (body as unknown[][]) : [body]).map((command) => {
      commands.push(command);
      try {
        return { result: reply(command) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    });
    return Response.json(pipelined ? results : results[0]);
  });
  return commands;
}

/** Replaces `fetch` for one test with one that cannot connect, as when Redis is down. */
export function redisDown(t: TestContext): void {
  t.mock.method(globalThis, 'fetch', async () => {
    throw new TypeError('fetch failed', { cause: connectionRefused() });
  });
}
