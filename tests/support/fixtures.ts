import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The face images copied from the shared data set (see tests/fixtures/faces/README.md). */
export const facesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/faces');

export const fixture = (relative: string): Buffer => readFileSync(path.join(facesDir, relative));
export const fixtureBase64 = (relative: string): string => fixture(relative).toString('base64');

/** A consent record for persons created by tests (required by POST /v1/persons). */
export const CONSENT = {
  obtainedAt: '2026-11-30T09:00:00Z',
  method: 'test consent screen',
  purpose: 'automated tests of facegate',
};
