import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Route {
  functionName: string;
  /** e.g. `functions/faces-detect.ts` */
  file: string;
  method: string;
  /** OpenAPI-style path, e.g. `/v1/persons/{personId}` */
  path: string;
}

interface FunctionDef {
  handler: string;
  events?: { httpApi?: string | { method: string; path: string } }[];
}

/** Every HTTP route serverless.yml deploys (the catch-all `*` route excluded). */
export function deployedRoutes(): Route[] {
  const doc = parse(readFileSync(path.join(repoRoot, 'serverless.yml'), 'utf8'), { logLevel: 'silent' }) as {
    functions: Record<string, FunctionDef>;
  };
  return Object.entries(doc.functions).flatMap(([functionName, fn]) =>
    (fn.events ?? []).flatMap((e) =>
      e.httpApi && typeof e.httpApi === 'object'
        ? [
            {
              functionName,
              file: fn.handler.replace(/\.handler$/, '.ts'),
              method: e.httpApi.method.toLowerCase(),
              path: e.httpApi.path,
            },
          ]
        : [],
    ),
  );
}
