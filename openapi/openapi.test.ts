import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderSpec, specFile } from './generate.ts';
import { deployedRoutes } from './routes.ts';

const committed = JSON.parse(readFileSync(specFile, 'utf8')) as {
  paths: Record<string, Record<string, unknown>>;
};

test('every deployed route is in the OpenAPI file, and every documented route is deployed', () => {
  const deployed = new Set(deployedRoutes().map((r) => `${r.method} ${r.path}`));
  const documented = new Set(
    Object.entries(committed.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    ),
  );
  assert.deepEqual(
    [...deployed].filter((r) => !documented.has(r)),
    [],
    'deployed but not documented',
  );
  assert.deepEqual(
    [...documented].filter((r) => !deployed.has(r)),
    [],
    'documented but not deployed',
  );
});

test('the committed OpenAPI file matches the zod schemas (run `npm run openapi` after changing them)', async () => {
  assert.equal(readFileSync(specFile, 'utf8'), await renderSpec());
});
