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

/** No request body of this API nests deeper; free-form fields have their own, lower limit (32). */
export const MAX_BODY_DEPTH = 64;

/**
 * Deepest nesting of `[`/`{` in JSON text, outside strings; one linear pass, no recursion. Stops
 * counting (returns early) once `limit` is exceeded.
 */
export function jsonNestingDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  // Bounded before anything walks the parsed value (zod, JSON.stringify) and could overflow the stack.
  const tooDeep = jsonNestingDepth(text, MAX_BODY_DEPTH) > MAX_BODY_DEPTH;
  let value: unknown;
  try {
    value = JSON.parse(text); // V8's JSON.parse is iterative: safe at any depth
  } catch {
    throw validationFailed({ body: 'must be valid JSON' });
  }
  if (tooDeep) {
    throw validationFailed({
      [deepTopLevelField(value)]: `must not nest deeper than ${MAX_BODY_DEPTH} levels`,
    });
  }
  return value;
}

/** The top-level field whose value nests too deep (for `details.fields`), found without recursion. */
function deepTopLevelField(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'body';
  for (const [key, child] of Object.entries(value)) {
    const stack: [unknown, number][] = [[child, 2]];
    while (stack.length > 0) {
      const [v, depth] = stack.pop()!;
      if (typeof v !== 'object' || v === null) continue;
      if (depth > MAX_BODY_DEPTH) return key;
      for (const c of Object.values(v)) stack.push([c, depth + 1]);
    }
  }
  return 'body';
}
