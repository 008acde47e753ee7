import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { ApiOptions } from '../shared/http/api.ts';
import { operations, sharedSchemas } from './operations.ts';
import { deployedRoutes, repoRoot } from './routes.ts';

/**
 * Builds the OpenAPI 3.1 document from serverless.yml (routes), each handler's own zod schemas
 * (request body, query, path) and openapi/operations.ts (summaries, response bodies, error codes).
 * `npm run openapi` writes openapi/openapi.json; a test fails when the committed file is stale.
 */
type RouteMeta = ApiOptions<
  z.ZodType | undefined,
  z.ZodType | undefined,
  z.ZodType | undefined,
  'user' | 'none'
>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};

const errorResponse = (description: string, codes: string[], schema = 'Error') => ({
  description: `${description} Codes: ${codes.join(', ')}.`,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
});

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const s = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    schema: prop,
  }));
}

export async function buildSpec() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of deployedRoutes()) {
    const mod = (await import(pathToFileURL(path.join(repoRoot, route.file)).href)) as {
      handler: { route?: RouteMeta };
    };
    const meta = mod.handler.route;
    if (!meta) throw new Error(`${route.file} does not export an api() handler`);
    const doc = operations[route.functionName];
    if (!doc) throw new Error(`openapi/operations.ts has no entry for ${route.functionName}`);

    const responses: Record<string, unknown> = {
      [String(doc.status ?? 200)]: {
        description: doc.responseDescription ?? 'Success.',
        ...(doc.response
          ? { content: { 'application/json': { schema: jsonSchema(doc.response, 'output') } } }
          : {}),
      },
    };
    const errors: Record<string, string[]> = {};
    const add = (status: number, ...codes: string[]) =>
      (errors[status] = [...(errors[status] ?? []), ...codes]);
    if (meta.body || meta.query || meta.params) add(400, 'VALIDATION_FAILED');
    if (meta.auth === 'user')
      add(
        401,
        'UNAUTHENTICATED',
        'MISSING_SIGNATURE_HEADER',
        'TIMESTAMP_SKEW',
        'BAD_SIGNATURE',
        'REPLAYED_REQUEST',
      );
    if (meta.body) add(413, 'PAYLOAD_TOO_LARGE');
    if (meta.limit === 'face') add(429, 'RATE_LIMITED', 'QUOTA_EXCEEDED');
    for (const [status, codes] of Object.entries(doc.errors ?? {})) add(Number(status), ...codes);
    add(503, 'DEPENDENCY_UNAVAILABLE');
    for (const [status, codes] of Object.entries(errors)) {
      responses[status] = errorResponse(
        doc.errorDescriptions?.[Number(status)] ?? 'Error.',
        [...new Set(codes)],
        doc.errorSchemas?.[Number(status)],
      );
    }

    for (const [status, description] of Object.entries(doc.alsoAnswers ?? {})) {
      responses[status] = { ...(responses[String(doc.status ?? 200)] as object), description };
    }

    (paths[route.path] ??= {})[route.method] = {
      operationId: route.functionName,
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      tags: [doc.tag],
      ...(meta.auth === 'user' ? { security: [{ session: [] }] } : { security: doc.security ?? [] }),
      parameters: [
        ...parameters(meta.params, 'path'),
        ...parameters(meta.query, 'query'),
        ...[...(meta.auth === 'user' ? ['Timestamp', 'Nonce', 'Signature'] : []), ...(doc.headers ?? [])].map(
          (p) => ({ $ref: `#/components/parameters/${p}` }),
        ),
      ],
      ...(meta.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(meta.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'facegate API',
      version: '1.0.0',
      description:
        'Face detection, 1:1 compare, liveness, face library and 1:N search, captcha, direct-to-S3 uploads and camera stream tokens. ' +
        'Contract: every error is `{"error": {code, message, details?, requestId}}`; every response carries `X-Request-Id`. ' +
        'Signed endpoints need `Authorization: Bearer <token>` plus X-Timestamp, X-Nonce and X-Signature (see README, "Request signing").',
    },
    servers: [{ url: 'http://localhost:3000', description: 'local stack (npm start)' }],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      securitySchemes: {
        session: { type: 'http', scheme: 'bearer', description: 'Session token from POST /v1/auth/session.' },
        edgeKey: {
          type: 'http',
          scheme: 'bearer',
          description: "A site's edge key (edge-streamer heartbeats only).",
        },
      },
      parameters: {
        Timestamp: {
          name: 'X-Timestamp',
          in: 'header',
          required: true,
          description: 'Unix seconds, within 300 s of server time.',
          schema: { type: 'string', pattern: '^\\d+$' },
        },
        Nonce: {
          name: 'X-Nonce',
          in: 'header',
          required: true,
          description: 'Single-use per user within the skew window.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{16,64}$' },
        },
        Signature: {
          name: 'X-Signature',
          in: 'header',
          required: true,
          description:
            'hex HMAC-SHA256(signingKey, METHOD\\nPATH\\nCANONICAL_QUERY\\nX-Timestamp\\nX-Nonce\\nhex(SHA-256(body))). ' +
            'PATH is the path as sent, trailing slash included; the server accepts it signed literally or with ' +
            'its percent-encoding canonicalised segment by segment (decoded, then RFC 3986 encoded: ' +
            '`/v1/persons/%70x` as `/v1/persons/px`), see shared/client/canonical.ts canonicalPath.',
          schema: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        },
        PowSolution: {
          name: 'X-Pow-Solution',
          in: 'header',
          required: false,
          description:
            'The solution of the proof-of-work challenge a 428 POW_REQUIRED carried: base64 of JSON {algorithm, challenge, number, salt, signature} (ALTCHA v1). Ignored when no proof of work is required.',
          schema: { type: 'string', maxLength: 2048 },
        },
      },
      schemas: Object.fromEntries(
        Object.entries(sharedSchemas).map(([name, schema]) => [name, jsonSchema(schema, 'output')]),
      ),
    },
  };
}

export const specFile = path.join(repoRoot, 'openapi', 'openapi.json');
export const renderSpec = async () => JSON.stringify(await buildSpec(), null, 2) + '\n';

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(specFile, await renderSpec());
  console.log(`wrote ${path.relative(repoRoot, specFile)}`);
}
