import { urls } from '../../scripts/stack/env.ts';
import { contractProblems } from './contract.ts';

/**
 * Preloaded into every test process by `npm test` (scripts/run-tests.ts): wraps `fetch` so that every
 * response from the local API is checked against openapi/openapi.json (contract.ts). A drifting
 * response rejects the caller's fetch with the list of differences, so the test that made the call
 * fails and names the operation. Sealed (encrypted) bodies are not JSON the contract describes; their
 * opened content is checked where a test opens it.
 */

const apiOrigin = new URL(urls.api).origin;
const original = globalThis.fetch;

export class ContractDrift extends Error {
  override name = 'ContractDrift';
}

globalThis.fetch = async function checkedFetch(input: string | URL | Request, init?: RequestInit) {
  const response = await original(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.origin !== apiOrigin || response.headers.has('x-payload-encryption')) return response;
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  if (method === 'OPTIONS' || method === 'HEAD') return response;
  const text = await response.clone().text();
  const isJson = /^application\/json/.test(response.headers.get('content-type') ?? '');
  let body: unknown;
  try {
    body = text === '' ? undefined : isJson ? JSON.parse(text) : text;
  } catch {
    throw new ContractDrift(
      `${method} ${url.pathname} → ${response.status}: body is not JSON: ${text.slice(0, 200)}`,
    );
  }
  const problems = contractProblems(method, url.pathname, response.status, body, response.headers);
  if (problems.length > 0)
    throw new ContractDrift(`Response differs from openapi.json:\n${problems.join('\n')}`);
  return response;
} as typeof fetch;
