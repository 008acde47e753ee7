import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyDependencyError, dependencyErrorCause, dependencyFailure, viaDependency } from './errors.ts';

const sdkError = (name: string, status: number, fault: 'client' | 'server') =>
  Object.assign(new Error(`${name} happened`), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status, requestId: 'REQ1', attempts: 2 },
  });

test('dependency errors: refused by the service or the SDK (500) vs unavailable (503)', () => {
  assert.equal(classifyDependencyError(sdkError('ValidationException', 400, 'client')), 'refused');
  assert.equal(classifyDependencyError(sdkError('AccessDeniedException', 400, 'client')), 'refused');
  assert.equal(
    classifyDependencyError(sdkError('ProvisionedThroughputExceededException', 400, 'client')),
    'unavailable',
  );
  assert.equal(classifyDependencyError(sdkError('ThrottlingException', 400, 'client')), 'unavailable');
  assert.equal(classifyDependencyError(sdkError('SlowDown', 503, 'server')), 'unavailable');
  assert.equal(classifyDependencyError(sdkError('InternalServerError', 500, 'server')), 'unavailable');
  assert.equal(classifyDependencyError(sdkError('Whatever', 429, 'client')), 'unavailable');
  assert.equal(
    classifyDependencyError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })),
    'unavailable',
  );
  assert.equal(
    classifyDependencyError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } })),
    'unavailable',
  );
  assert.equal(
    classifyDependencyError(Object.assign(new Error('t'), { name: 'TimeoutError' })),
    'unavailable',
  );
  assert.equal(classifyDependencyError(new Error('something unknown')), 'unavailable', 'fail closed');
  // The marshaller's own errors: store/table.test.ts.
});

test('dependency failures are answered 500 or 503 and their cause is logged without secrets', async () => {
  const refused = dependencyFailure('dynamodb', sdkError('ValidationException', 400, 'client'));
  assert.equal(refused.status, 500);
  assert.equal(refused.code, 'INTERNAL');
  const down = await viaDependency('redis', () =>
    Promise.reject(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })),
  ).catch((e: unknown) => e as { status: number; code: string; details: unknown });
  assert.equal(down.status, 503);
  assert.equal(down.code, 'DEPENDENCY_UNAVAILABLE');
  assert.deepEqual(down.details, { dependency: 'redis' });

  const cause = dependencyErrorCause(sdkError('ValidationException', 400, 'client'));
  assert.deepEqual(cause, {
    errorName: 'ValidationException',
    errorMessage: 'ValidationException happened',
    fault: 'client',
    httpStatus: 400,
    awsRequestId: 'REQ1',
    attempts: 2,
  });
  const upstash = dependencyErrorCause(
    Object.assign(new Error('ERR wrong type, command was: ["set","nonce:u:secret-value","1"]'), {
      name: 'UpstashError',
    }),
  );
  assert.equal(upstash.errorMessage, 'ERR wrong type');
});
