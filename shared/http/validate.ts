import type { z } from 'zod';
import { validationFailed } from '../errors.ts';

/**
 * Parses `value` with `schema`; on failure throws 400 VALIDATION_FAILED whose `details.fields`
 * maps each bad field's dotted path (prefixed with where it came from) to a message.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'path',
): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.length ? issue.path.join('.') : where;
    fields[path] ??= issue.message;
  }
  throw validationFailed(fields);
}

export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw validationFailed({ body: 'must be valid JSON' });
  }
}
