import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ERRORS, type ErrorCode } from '../shared/errors.ts';
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

/** What every signed endpoint may answer when signing fails. */
const SIGNED_REQUEST_ERRORS: ErrorCode[] = [
  'UNAUTHENTICATED',
  'MISSING_SIGNATURE_HEADER',
  'TIMESTAMP_SKEW',
  'BAD_SIGNATURE',
  'REPLAYED_REQUEST',
];

/** The catalogue as a schema: each code with its status and meaning. */
const errorCodeSchema = {
  oneOf: Object.entries(ERRORS).map(([code, { status, meaning }]) => ({
    const: code,
    description: `${status}: ${meaning}`,
  })),
};

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};

/** An error response whose `code` is one of the catalogue codes this operation answers with this status. */
const errorResponse = (description: string, codes: ErrorCode[]) => ({
  description: `${description} Codes: ${codes.join(', ')}.`,
  content: {
    'application/json': {
      schema: {
        allOf: [
          { $ref: '#/components/schemas/Error' },
          { properties: { error: { properties: { code: { enum: codes } } } } },
        ],
      },
    },
  },
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
    const codes = new Set<ErrorCode>(doc.errors ?? []);
    if (meta.body || meta.query || meta.params) codes.add('VALIDATION_FAILED');
    if (meta.auth === 'user') for (const code of SIGNED_REQUEST_ERRORS) codes.add(code);
    if (meta.body) codes.add('PAYLOAD_TOO_LARGE');
    if (meta.limit === 'face') codes.add('RATE_LIMITED').add('QUOTA_EXCEEDED');
    codes.add('INTERNAL').add('DEPENDENCY_UNAVAILABLE');
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of codes)
      byStatus.set(ERRORS[code].status, [...(byStatus.get(ERRORS[code].status) ?? []), code]);
    for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
      responses[String(status)] = errorResponse(doc.errorDescriptions?.[status] ?? 'Error.', statusCodes);
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
        ...(meta.auth === 'user'
          ? ['Timestamp', 'Nonce', 'Signature'].map((p) => ({ $ref: `#/components/parameters/${p}` }))
          : []),
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
      },
      schemas: {
        ...Object.fromEntries(
          Object.entries(sharedSchemas).map(([name, schema]) => [name, jsonSchema(schema, 'output')]),
        ),
        ErrorCode: errorCodeSchema,
      },
    },
  };
}

export const specFile = path.join(repoRoot, 'openapi', 'openapi.json');
export const renderSpec = async () => JSON.stringify(await buildSpec(), null, 2) + '\n';

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(specFile, await renderSpec());
  console.log(`wrote ${path.relative(repoRoot, specFile)}`);
}
