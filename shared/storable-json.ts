import { z } from 'zod';

/**
 * Free-form JSON that clients may store (a person's `meta`), checked up front against everything the
 * DynamoDB write would otherwise refuse, so bad input is a 400 naming the field rather than a failed
 * write. The walk is iterative (an explicit stack, never recursion or JSON.stringify before the depth
 * is known), so a value nested 100,000 levels deep costs one linear pass and no stack overflow.
 *
 * Rules (README "Security"):
 * - depth at most `maxDepth` levels of objects/arrays (DynamoDB allows 32 levels of nesting in an item);
 * - numbers finite, |n| <= Number.MAX_SAFE_INTEGER (the SDK's marshaller refuses larger ones and would
 *   read them back as BigInt), and 0 or |n| >= 1e-130 (DynamoDB's smallest magnitude);
 * - object keys non-empty, at most 255 characters, well-formed UTF-16, and none of `__proto__`,
 *   `constructor`, `prototype` (prototype-pollution keys: refused rather than silently dropped);
 * - strings well-formed UTF-16 (no lone surrogates, which cannot be stored as UTF-8);
 * - only JSON types: null, boolean, number, string, array, plain object;
 * - at most `maxBytes` bytes as JSON (computed after the depth check).
 */

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
export const DYNAMO_MAX_DEPTH = 32;
const MAX_KEY_LENGTH = 255;
const MIN_MAGNITUDE = 1e-130;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const hasLoneSurrogate = (s: string): boolean => LONE_SURROGATE.test(s);

export interface StorableIssue {
  /** Path below the checked value, e.g. ['a', 0, 'b']. */
  path: (string | number)[];
  message: string;
}

export interface StorableLimits {
  maxDepth?: number;
  maxBytes?: number;
}

/** Returns the first reason `value` cannot be stored as given, or undefined when it can. */
export function storableJsonIssue(value: unknown, limits: StorableLimits = {}): StorableIssue | undefined {
  const maxDepth = limits.maxDepth ?? DYNAMO_MAX_DEPTH;
  // [value, path, depth of the container holding it (0 for the root)]
  const stack: [unknown, (string | number)[], number][] = [[value, [], 0]];
  while (stack.length > 0) {
    const [v, path, depth] = stack.pop()!;
    if (v === null || typeof v === 'boolean') continue;
    if (typeof v === 'string') {
      if (hasLoneSurrogate(v)) return { path, message: 'must not contain lone surrogates' };
      continue;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { path, message: 'must be a finite number' };
      if (Math.abs(v) > Number.MAX_SAFE_INTEGER)
        return {
          path,
          message: `must be a number between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`,
        };
      if (v !== 0 && Math.abs(v) < MIN_MAGNITUDE)
        return { path, message: 'must be 0 or at least 1e-130 in magnitude' };
      continue;
    }
    if (typeof v !== 'object') return { path, message: 'must be a JSON value' };
    if (depth + 1 > maxDepth) return { path, message: `must not nest deeper than ${maxDepth} levels` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], [...path, i], depth + 1]);
      continue;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return { path, message: 'must be a JSON value' };
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      if (key.length === 0) return { path, message: 'must not have an empty key' };
      if (key.length > MAX_KEY_LENGTH)
        return {
          path: [...path, key.slice(0, 32)],
          message: `keys must be at most ${MAX_KEY_LENGTH} characters`,
        };
      if (hasLoneSurrogate(key)) return { path, message: 'keys must not contain lone surrogates' };
      if (FORBIDDEN_KEYS.has(key))
        return { path: [...path, key], message: 'is a reserved key (__proto__, constructor, prototype)' };
      stack.push([(v as Record<string, unknown>)[key], [...path, key], depth + 1]);
    }
  }
  if (limits.maxBytes !== undefined && Buffer.byteLength(JSON.stringify(value)) > limits.maxBytes) {
    return { path: [], message: `must be at most ${limits.maxBytes} bytes as JSON` };
  }
  return undefined;
}

/**
 * A zod schema for a free-form JSON object field stored in DynamoDB. Validates before zod copies the
 * record, reporting the deepest offending path (e.g. `meta.a.b`) in `details.fields`.
 */
export function storableJsonObject(limits: StorableLimits & { description?: string } = {}) {
  const { description, ...rest } = limits;
  return (
    z
      .unknown()
      .superRefine((value, ctx) => {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
          return;
        }
        const issue = storableJsonIssue(value, rest);
        if (issue) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
      })
      .pipe(z.record(z.string(), z.unknown()))
      // The generated OpenAPI shows the input side of the pipe (unknown): describe it as the object it is.
      .meta({ type: 'object', additionalProperties: {}, ...(description ? { description } : {}) })
  );
}
