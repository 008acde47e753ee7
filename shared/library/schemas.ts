import { z } from 'zod';
import { hasLoneSurrogate, storableJsonObject } from '../storable-json.ts';

/** Request fields of the persons endpoints, shared by create and update. */

/**
 * Characters a display name must not contain: C0/C1 controls, line and paragraph separators, bidi
 * embeddings, overrides, isolates and marks (they reorder how the surrounding text is shown, e.g. to
 * disguise a name in the console or a log).
 */
const NAME_FORBIDDEN = /[\p{Cc}\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * A person's display name: trimmed, normalised to NFC, then 1..64 UTF-16 code units; names with control
 * characters, bidi controls or lone surrogates are refused (400), not silently cleaned.
 */
export const personName = z
  .string()
  .trim()
  .refine((s) => !hasLoneSurrogate(s), { message: 'must be valid Unicode (no lone surrogates)', abort: true })
  .normalize('NFC')
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .refine((s) => !NAME_FORBIDDEN.test(s), {
    message: 'must not contain control characters or bidirectional formatting characters',
  });

const noHiddenCharacters = (s: string) => !NAME_FORBIDDEN.test(s) && !hasLoneSurrogate(s);
/** Clock skew allowed for a consent stamped by the client's device. */
const CONSENT_FUTURE_SKEW_MS = 5 * 60_000;

/**
 * The record of a person's consent to face processing, required when the person is created: when it was
 * obtained (ISO-8601 with offset, not in the future), how (e.g. "mini-program consent screen v2") and for
 * what purpose (e.g. "door access at site A").
 */
export const consent = z.object({
  obtainedAt: z.iso
    .datetime({ offset: true })
    .refine((s) => Date.parse(s) <= Date.now() + CONSENT_FUTURE_SKEW_MS, {
      message: 'must not be in the future',
    }),
  method: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(64)
    .refine(noHiddenCharacters, 'must be plain text'),
  purpose: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200)
    .refine(noHiddenCharacters, 'must be plain text'),
});

const META_MAX_BYTES = 2048;

/**
 * Free-form JSON object, at most 2 KB as JSON, checked against what DynamoDB refuses (depth, numbers,
 * keys; see shared/storable-json.ts) so that bad input is a 400 naming the field, never a failed write.
 */
export const personMeta = storableJsonObject({
  maxBytes: META_MAX_BYTES,
  description:
    'Free-form JSON object, at most 2048 bytes as JSON and 32 levels deep; numbers finite with magnitude ' +
    '0 or 1e-130..2^53-1; keys non-empty and not __proto__, constructor or prototype.',
});

export const personParams = z.object({ personId: z.string() });
export const faceParams = z.object({ personId: z.string(), faceId: z.string() });
