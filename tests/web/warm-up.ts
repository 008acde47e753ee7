import { FacegateClient } from '../../shared/client/client.ts';
import { fixture } from '../support/fixtures.ts';
import { urls } from '../support/stack.ts';
import { CONSENT } from '../support/fixtures.ts';

/**
 * Calls each Lambda the flows use once before the browser does. serverless-offline runs every function
 * in its own worker, so each face function loads the engine on its first call; on a busy machine that
 * can pass the 29 s Lambda timeout, which is a property of the emulator, not of the console.
 */
export async function warmUp(): Promise<void> {
  const client = await FacegateClient.login(new URL(urls.api).origin, `test:web-warmup-${process.pid}`);
  const face = { image: fixture('misc/face1.png').toString('base64') };
  const person = await client.post('/v1/persons', { consent: CONSENT, name: 'warm-up' });
  const calls: [string, unknown][] = [
    ['/v1/faces/detect', face],
    ['/v1/faces/compare', { a: face, b: face }],
    ['/v1/search', face],
    [`/v1/persons/${person.body.personId}/faces`, face],
  ];
  for (const [path, body] of calls) {
    for (let attempt = 1; ; attempt++) {
      const res = await client.post(path, body);
      if (res.status < 300) break;
      if (attempt === 3) throw new Error(`warm-up ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
}
