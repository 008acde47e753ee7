import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consoleUrl, openBrowser } from './browser.ts';

/**
 * Loading the console logs no console error: in particular no 404 for /favicon.ico, which browsers
 * request unless the page names an icon (and some request regardless).
 */
test('the console loads without console errors or failed requests, and has an icon', async () => {
  const browser = await openBrowser();
  try {
    const { page } = browser;
    const consoleErrors: string[] = [];
    const failed: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(consoleUrl, { waitUntil: 'networkidle' });
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    assert.ok(icon, 'the page names an icon');
    for (const href of [new URL(icon, consoleUrl).href, new URL('/favicon.ico', consoleUrl).href]) {
      const res = await page.request.get(href);
      assert.equal(res.status(), 200, href);
      assert.match(res.headers()['content-type'] ?? '', /^image\//, href);
    }
    assert.deepEqual(failed, []);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(browser.pageErrors, []);
  } finally {
    await browser.close();
  }
});
