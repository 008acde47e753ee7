import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES, ERRORS } from '../shared/errors.ts';
import { specFile } from './generate.ts';
import { repoRoot } from './routes.ts';

/**
 * The catalogue (shared/errors.ts) against the code and the OpenAPI file. Which code a given operation
 * answers is checked at run time: every HTTP test's response is validated against openapi.json, whose
 * error schemas enumerate each operation's codes per status (tests/support/contract-preload.ts).
 */

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Codes raised by the helpers of shared/errors.ts rather than by name at the call site. */
const HELPER_CODES: Record<string, string> = {
  'notFound(': 'NOT_FOUND',
  'validationFailed(': 'VALIDATION_FAILED',
  'dependencyFailure(': 'DEPENDENCY_UNAVAILABLE',
  'viaDependency(': 'DEPENDENCY_UNAVAILABLE',
};

function thrownCodes(): Set<string> {
  const codes = new Set<string>(['INTERNAL']); // any unexpected exception (shared/http/middleware)
  const files = ['shared', 'functions'].flatMap((dir) => sourceFiles(path.join(repoRoot, dir)));
  for (const file of files) {
    if (file.endsWith(path.join('shared', 'errors.ts'))) continue;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:AppError|retryLater|super)\(\s*'([A-Z_]+)'/g)) codes.add(match[1]!);
    for (const [call, code] of Object.entries(HELPER_CODES)) if (text.includes(call)) codes.add(code);
  }
  return codes;
}

const spec = JSON.parse(readFileSync(specFile, 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
};

interface ErrorResponse {
  content?: Record<
    string,
    { schema?: { allOf?: { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } }[] } }
  >;
}

/** The codes an error response enumerates (openapi/generate.ts errorResponse); none for success bodies. */
const errorCodesOf = (response: unknown): string[] =>
  (response as ErrorResponse).content?.['application/json']?.schema?.allOf?.[1]?.properties?.error?.properties
    ?.code?.enum ?? [];

/** code → the statuses it is documented under, over every operation. */
function documentedCodes(): Map<string, Set<string>> {
  const documented = new Map<string, Set<string>>();
  for (const operations of Object.values(spec.paths)) {
    for (const { responses } of Object.values(operations)) {
      for (const [status, response] of Object.entries(responses)) {
        for (const code of errorCodesOf(response)) {
          (documented.get(code) ?? documented.set(code, new Set()).get(code)!).add(status);
        }
      }
    }
  }
  return documented;
}

test('every catalogued code is thrown somewhere, and everything thrown is catalogued', () => {
  const thrown = thrownCodes();
  assert.deepEqual(
    ERROR_CODES.filter((code) => !thrown.has(code)),
    [],
    'catalogued but never thrown',
  );
  assert.deepEqual(
    [...thrown].filter((code) => !(code in ERRORS)),
    [],
    'thrown but not catalogued',
  );
});

test('every catalogued code is documented by some operation, under its own status only', () => {
  const documented = documentedCodes();
  assert.deepEqual(
    ERROR_CODES.filter((code) => !documented.has(code)),
    [],
    'catalogued but no operation documents it',
  );
  for (const [code, statuses] of documented) {
    assert.ok(code in ERRORS, `${code} is documented but not catalogued`);
    assert.deepEqual([...statuses], [String(ERRORS[code as keyof typeof ERRORS].status)], code);
  }
});
