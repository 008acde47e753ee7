import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { urls } from '../support/stack.ts';
import { DESKTOP, openBrowser, screenshot, signIn } from './browser.ts';

/**
 * An account signed in unusually often must prove work before the next sign-in (shared/pow). The
 * console solves the challenge in a Web Worker (web/src/pow-worker.ts), so the page stays responsive and
 * the person only sees the sign-in succeed.
 */
test('the console solves a sign-in’s proof of work in a Web Worker and signs in', async () => {
  const name = `web-pow-${randomUUID().slice(0, 8)}`;
  // Each sign-in raises the user's friction (POW_WEIGHTS.login): about 30 in a row reach level 1.
  let status = 0;
  for (let i = 0; i < 60 && status !== 428; i++) {
    const res = await fetch(`${new URL(urls.api).origin}/v1/auth/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: `test:${name}` }),
    });
    status = res.status;
    if (status === 428)
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'POW_REQUIRED');
  }
  assert.equal(status, 428, 'the account needs a proof of work');

  const browser = await openBrowser(DESKTOP);
  try {
    const workers: string[] = [];
    browser.page.on('worker', (worker) => workers.push(worker.url()));
    const withSolution = browser.page.waitForRequest(
      (r) => r.url().endsWith('/v1/auth/session') && r.headers()['x-pow-solution'] !== undefined,
    );
    await signIn(browser.page, name);
    const answer = await (await withSolution).response();
    assert.equal(answer?.status(), 200);
    assert.ok(
      workers.some((url) => /pow-worker/.test(url)),
      `a proof-of-work worker ran (workers: ${workers.join(', ') || 'none'})`,
    );
    await screenshot(browser.page, 'pow-sign-in');
    assert.deepEqual(browser.pageErrors, []);
  } finally {
    await browser.close();
  }
});
