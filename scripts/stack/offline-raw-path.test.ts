import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

const { gatewayFailure } = createRequire(import.meta.url)('./offline-raw-path.cjs') as {
  gatewayFailure: (status: number, source: unknown) => { statusCode: number; body: string } | undefined;
};

const lambdaError = (errorMessage: string) =>
  JSON.stringify({
    errorMessage,
    errorType: 'Error',
    stackTrace: ['Error: x', '    at handler (/f.js:1:1)'],
  });

test('a crashed or timed-out function answers as API Gateway does, never with its stack', () => {
  assert.deepEqual(gatewayFailure(200, lambdaError('boom')), {
    statusCode: 500,
    body: '{"message":"Internal Server Error"}',
  });
  assert.equal(gatewayFailure(200, lambdaError('[504] - Lambda timeout.'))?.statusCode, 503);
  assert.equal(gatewayFailure(200, lambdaError('Task timed out after 90.00 seconds'))?.statusCode, 503);
});

test('answers of our own handlers pass untouched', () => {
  assert.equal(gatewayFailure(200, JSON.stringify({ faces: [] })), undefined);
  assert.equal(gatewayFailure(200, '{"note":"a \\"stackTrace\\" in text"}'), undefined);
  assert.equal(gatewayFailure(500, lambdaError('boom')), undefined);
  assert.equal(gatewayFailure(200, Buffer.from('x')), undefined);
});
