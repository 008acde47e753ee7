import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ERRORS, type ErrorCode } from '../shared/errors.ts';
import {
  IV_BYTES,
  PAYLOAD_ALGORITHM,
  PAYLOAD_ENCRYPTION_HEADER,
  PAYLOAD_KEY_INFO,
  TAG_BYTES,
  sealable,
} from '../shared/client/sealed.ts';
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

/** The shared components (Box, Face, ...) by their zod schema: inside another schema they become a $ref. */
const componentNames = new Map<unknown, string>(
  Object.entries(sharedSchemas).map(([name, schema]) => [schema, name]),
);

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema: json, path }) => {
      const name = componentNames.get(zodSchema);
      if (!name || path.length === 0) return;
      for (const key of Object.keys(json)) delete json[key as keyof typeof json];
      json.$ref = `#/components/schemas/${name}`;
    },
  }) as Record<string, unknown>;
  return rest;
};

/** An error response whose `code` is one of the catalogue codes this operation answers with this status. */
const errorResponse = (description: string, codes: ErrorCode[], schema = 'Error') => ({
  description: `${description} Codes: ${codes.join(', ')}.`,
  content: {
    'application/json': {
      schema: {
        allOf: [
          { $ref: `#/components/schemas/${schema}` },
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

const SEALING =
  'Optional payload encryption on signed endpoints: with `X-Payload-Encryption: aes-256-gcm` a request body is a ' +
  'SealedPayload instead of its JSON, and the response comes back sealed the same way, with the same header. ' +
  'Only JSON bodies are sealed: images travel inside them (base64 or an uploadId); bytes sent straight to S3 ' +
  'with a presigned POST/PUT are not, and the sessionless endpoints (sign-in, health, captcha, JWKS, edge ' +
  'heartbeat) have no key to seal with. A body that is no envelope or does not open: 400 BAD_PAYLOAD.';

interface ResponseDoc {
  content?: object;
  headers?: Record<string, { $ref: string }>;
}

const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** The headers of one response (components.headers): which depends on the status and the operation. */
function responseHeaders(
  status: string,
  op: { signed: boolean; faceLimited: boolean; body: boolean },
): Record<string, { $ref: string }> {
  const code = Number(status);
  return {
    'X-Request-Id': header('RequestId'),
    ...(op.faceLimited && code !== 401
      ? {
          'X-RateLimit-Limit': header('RateLimitLimit'),
          'X-RateLimit-Remaining': header('RateLimitRemaining'),
          'X-RateLimit-Reset': header('RateLimitReset'),
        }
      : {}),
    ...(code === 429 || code === 503 ? { 'Retry-After': header('RetryAfter') } : {}),
    ...(op.signed && op.body && code !== 401 ? { [PAYLOAD_ENCRYPTION_HEADER]: header('Sealed') } : {}),
  };
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
    const signed = meta.auth === 'user';
    if (sealable(route.path) !== signed)
      throw new Error(`${route.path}: shared/client/sealed.ts's sessionless list disagrees with its auth`);

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
    if (signed) for (const code of [...SIGNED_REQUEST_ERRORS, 'BAD_PAYLOAD'] as const) codes.add(code);
    if (meta.body) codes.add('PAYLOAD_TOO_LARGE');
    if (meta.limit === 'face') codes.add('RATE_LIMITED').add('QUOTA_EXCEEDED');
    codes.add('INTERNAL').add('DEPENDENCY_UNAVAILABLE');
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of codes)
      byStatus.set(ERRORS[code].status, [...(byStatus.get(ERRORS[code].status) ?? []), code]);
    for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
      responses[String(status)] = errorResponse(
        doc.errorDescriptions?.[status] ?? 'Error.',
        statusCodes,
        doc.errorSchemas?.[status],
      );
    }

    for (const [status, description] of Object.entries(doc.alsoAnswers ?? {})) {
      responses[status] = { ...(responses[String(doc.status ?? 200)] as object), description };
    }
    for (const [status, response] of Object.entries(responses) as [string, ResponseDoc][]) {
      response.headers = responseHeaders(status, {
        signed,
        faceLimited: meta.limit === 'face',
        body: !!response.content,
      });
    }

    (paths[route.path] ??= {})[route.method] = {
      operationId: route.functionName,
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      tags: [doc.tag],
      ...(signed ? { security: [{ session: [] }] } : { security: doc.security ?? [] }),
      parameters: [
        ...parameters(meta.params, 'path'),
        ...parameters(meta.query, 'query'),
        ...[
          ...(signed ? ['Timestamp', 'Nonce', 'Signature', 'PayloadEncryption'] : []),
          ...(doc.headers ?? []),
        ].map((p) => ({ $ref: `#/components/parameters/${p}` })),
      ],
      ...(meta.body
        ? {
            requestBody: {
              required: true,
              ...(signed
                ? { description: 'With `X-Payload-Encryption`, a SealedPayload holding this JSON.' }
                : {}),
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
        'Signed endpoints need `Authorization: Bearer <token>` plus X-Timestamp, X-Nonce and X-Signature (see README, "Request signing"). ' +
        SEALING,
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
            '`/v1/persons/%70x` as `/v1/persons/px`), see shared/client/canonical.ts canonicalPath. ' +
            'CANONICAL_QUERY: the query as received, split on `&` and `=`, each name and value decoded (`+` is a ' +
            'space), then RFC 3986 encoded (uppercase hex; only A-Z a-z 0-9 - _ . ~ stay literal), sorted by encoded ' +
            'name and then encoded value as byte strings (`a=1&a=2`, `B` before `a`), `name=value` joined by `&`; ' +
            'empty without a query. X-Timestamp is Unix seconds; milliseconds are 401 TIMESTAMP_SKEW. The ' +
            '`Bearer` scheme name is case-insensitive.',
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
        PayloadEncryption: {
          name: PAYLOAD_ENCRYPTION_HEADER,
          in: 'header',
          required: false,
          description:
            'Optional payload encryption. The body, if any, is then a SealedPayload and the signature covers it as ' +
            'sent (sealed); the response is sealed too. Without a body (GET, DELETE) it only asks for a sealed ' +
            'response. The value is case-insensitive; any other: 400 BAD_PAYLOAD.',
          schema: {
            type: 'string',
            pattern: '^[Aa][Ee][Ss]-256-[Gg][Cc][Mm]$',
            examples: [PAYLOAD_ALGORITHM],
          },
        },
      },
      headers: {
        RequestId: {
          description:
            "The request's id, on every response the API answers (also in an error body's `requestId`): quote it " +
            'when reporting a problem. Requests the gateway answers without the API carry none: CORS ' +
            "preflights (OPTIONS), and bodies over the gateway's or Lambda's payload limit (413 in the gateway's " +
            'own format). A body that reaches the API over 6 MiB gets 413 PAYLOAD_TOO_LARGE.',
          schema: { type: 'string' },
        },
        RateLimitLimit: {
          description:
            'Face endpoints: requests allowed per minute per user (FACE_RATE_LIMIT_PER_MINUTE). On every response ' +
            'once the request is authenticated; not on 401s or 413 PAYLOAD_TOO_LARGE, answered before.',
          schema: { type: 'integer' },
        },
        RateLimitRemaining: {
          description: 'Face endpoints: requests left in the current one-minute window.',
          schema: { type: 'integer', minimum: 0 },
        },
        RateLimitReset: {
          description:
            'Face endpoints: when the current window ends, in Unix seconds (absolute, not a delay).',
          schema: { type: 'integer' },
        },
        RetryAfter: {
          description:
            'Seconds to wait before retrying: on 429 (until the window or day ends) and on 503s that are worth ' +
            'retrying (a dependency or WeChat busy).',
          schema: { type: 'integer', minimum: 1 },
        },
        Sealed: {
          description:
            `\`${PAYLOAD_ALGORITHM}\` when the body is a SealedPayload holding the JSON documented here. Sealed are the ` +
            'responses with a body to a request sent with X-Payload-Encryption that authenticated and opened, ' +
            'errors included. Plain are 401s, 413 PAYLOAD_TOO_LARGE, 400 BAD_PAYLOAD, 503s of authentication ' +
            '(all answered before the request is opened) and bodiless 204s.',
          schema: { type: 'string', enum: [PAYLOAD_ALGORITHM] },
        },
      },
      schemas: {
        ...Object.fromEntries(
          Object.entries(sharedSchemas).map(([name, schema]) => [name, jsonSchema(schema, 'output')]),
        ),
        ErrorCode: errorCodeSchema,
        SealedPayload: {
          type: 'object',
          description:
            `A body sealed with AES-256-GCM (no associated data). Key: HKDF-SHA256 with the session's signingKey ` +
            `(the UTF-8 text of its 64 hex digits, the bytes the signature uses) as input, an empty salt ` +
            `(RFC 5869: 32 zero bytes) and info \`${PAYLOAD_KEY_INFO}\`, 32 bytes. The plaintext is the JSON ` +
            'body (UTF-8). Each part is standard base64 with padding. A new random IV for every message.',
          properties: {
            iv: { type: 'string', contentEncoding: 'base64', description: `${IV_BYTES} bytes` },
            ciphertext: {
              type: 'string',
              contentEncoding: 'base64',
              description: 'as long as the plaintext',
            },
            tag: { type: 'string', contentEncoding: 'base64', description: `${TAG_BYTES} bytes` },
          },
          required: ['iv', 'ciphertext', 'tag'],
          additionalProperties: false,
        },
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
