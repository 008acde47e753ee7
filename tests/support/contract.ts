import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Checks API responses against the published contract, openapi/openapi.json: the status must be one the
 * operation documents, and a JSON body must match that status's schema (extra fields included, since
 * the generated schemas forbid them). Used by contract-preload.ts on every response the tests receive,
 * so a handler that drifts from the OpenAPI file fails whichever test called it.
 */

interface Operation {
  responses: Record<
    string,
    { content?: { 'application/json'?: { schema: unknown } }; headers?: Record<string, { $ref: string }> }
  >;
}

const spec = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; headers: Record<string, { schema: { type?: string } }> };
};

// The generator emits `format`s and patterns as zod writes them; formats are checked, not just named.
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema({ $id: 'openapi', components: spec.components });

/** `/v1/persons/{personId}` as a matcher of concrete paths; literal routes win over templated ones. */
const routes = Object.entries(spec.paths)
  .map(([template, operations]) => ({
    template,
    operations,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    literal: !template.includes('{'),
  }))
  .sort((a, b) => Number(b.literal) - Number(a.literal));

const validators = new Map<unknown, ValidateFunction>();
function validatorFor(schema: unknown): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    // Local `#/components/...` references resolve against the spec registered above.
    const rewritten = JSON.parse(
      JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'),
    );
    validate = ajv.compile(rewritten);
    validators.set(schema, validate);
  }
  return validate;
}

/**
 * What is wrong with one response, or [] if it matches the contract. Paths the contract does not list
 * (the catch-all 404) are checked only for the error shape. Given the headers, documented ones are
 * checked when present, and X-Request-Id must be.
 */
export function contractProblems(
  method: string,
  path: string,
  status: number,
  body: unknown,
  headers?: Headers,
): string[] {
  // The API answers `/v1/persons/` as `/v1/persons` (the signature covers the path as sent).
  const route = routes.find((r) => r.pattern.test(path.length > 1 ? path.replace(/\/$/, '') : path));
  const operation = route?.operations[method.toLowerCase()];
  const where = `${method} ${route?.template ?? path} → ${status}`;
  if (!operation) {
    if (status === 404 || status === 405) return errorShapeProblems(where, body);
    return [`${where}: no such operation in openapi.json`];
  }
  const response = operation.responses[String(status)] ?? operation.responses.default;
  if (!response) return [`${where}: status not documented (${Object.keys(operation.responses)})`];
  const problems = headers ? headerProblems(where, response.headers ?? {}, headers) : [];
  const schema = response.content?.['application/json']?.schema;
  if (!schema)
    return body === undefined ? problems : [...problems, `${where}: documented without a body, got one`];
  const validate = validatorFor(schema);
  return validate(body)
    ? problems
    : [
        ...problems,
        ...(validate.errors ?? []).map(
          (e) => `${where}: body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
        ),
      ];
}

function headerProblems(where: string, documented: Record<string, { $ref: string }>, got: Headers): string[] {
  const problems: string[] = [];
  for (const [name, { $ref }] of Object.entries(documented)) {
    const value = got.get(name);
    if (value === null) {
      if (name === 'X-Request-Id') problems.push(`${where}: no ${name} header`);
      continue;
    }
    const schema = spec.components.headers[$ref.split('/').pop()!]!.schema;
    const typed = schema.type === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
    const validate = validatorFor(schema);
    if (!validate(typed))
      problems.push(`${where}: header ${name}: ${value} ${ajv.errorsText(validate.errors)}`);
  }
  return problems;
}

function errorShapeProblems(where: string, body: unknown): string[] {
  const validate = validatorFor({ $ref: '#/components/schemas/Error' });
  return validate(body) ? [] : [`${where}: not the error model: ${ajv.errorsText(validate.errors)}`];
}
