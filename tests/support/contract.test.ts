import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contractProblems } from './contract.ts';

/** The contract checker itself: it must be able to fail, or the preload proves nothing. */

const person = {
  personId: 'p_1',
  name: 'Amy',
  meta: {},
  consent: { obtainedAt: '2026-12-01T10:00:00+08:00', method: 'form', purpose: 'door' },
  faceCount: 0,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
};
const error = (code: string) => ({ error: { code, message: 'x', requestId: 'r' } });

test('a documented response passes; drift in fields, types or status is named', () => {
  assert.deepEqual(contractProblems('POST', '/v1/persons', 201, person), []);
  assert.deepEqual(contractProblems('GET', '/v1/persons/p_1', 404, error('NOT_FOUND')), []);

  const [extra] = contractProblems('POST', '/v1/persons', 201, { ...person, secret: 1 });
  assert.match(extra!, /^POST \/v1\/persons → 201: body .*additional/);
  const [type] = contractProblems('POST', '/v1/persons', 201, { ...person, faceCount: '0' });
  assert.match(type!, /faceCount must be integer/);
  const [status] = contractProblems('POST', '/v1/persons', 418, error('TEAPOT'));
  assert.match(status!, /status not documented/);
  assert.notDeepEqual(contractProblems('GET', '/v1/persons/p_1', 404, { message: 'no' }), []);
  // A catalogued code this operation does not document for the status, and a code outside the catalogue.
  assert.notDeepEqual(contractProblems('GET', '/v1/persons/p_1', 404, error('NO_FACE')), []);
  assert.notDeepEqual(contractProblems('GET', '/v1/persons/p_1', 404, error('MISSING')), []);
  assert.match(contractProblems('GET', '/v1/nowhere', 200, {})[0]!, /no such operation/);
});
