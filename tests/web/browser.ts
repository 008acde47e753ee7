import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { facesDir } from '../support/fixtures.ts';
import { urls } from '../support/stack.ts';

/**
 * Drives the web console of the local stack in headless Chromium (Debian's, through playwright-core).
 * Each flow gets its own browser with a fresh profile, a fake webcam that films a face, and leaves a
 * screenshot in test-artifacts/web/<flow>.png.
 */

export const consoleUrl = `${urls.web}/`;
const artifacts = path.resolve(import.meta.dirname, '../../test-artifacts/web');
/** Generous: the first face call of a run also loads the models. */
export const SLOW = 120_000;

export const PHONE = { width: 375, height: 812 };
export const DESKTOP = { width: 1200, height: 900 };

export interface Browser {
  page: Page;
  context: BrowserContext;
  /** Uncaught exceptions in the page; a test ends by asserting there were none. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** The fake webcam's picture: one JPEG is a valid one-frame MJPEG file, which Chromium loops. */
async function fakeCameraFile(dir: string): Promise<string> {
  const file = path.join(dir, 'webcam.mjpeg');
  const frame = await sharp(path.join(facesDir, 'misc/face1.png'))
    .resize(640, 480, { fit: 'contain', background: '#6b7280' })
    .jpeg()
    .toBuffer();
  await writeFile(file, frame);
  return file;
}

/** `cameraFile`: what the fake webcam films (.y4m or .mjpeg), else a still of misc/face1.png. */
export async function openBrowser(viewport = PHONE, cameraFile?: string): Promise<Browser> {
  const dir = await mkdtemp(path.join(tmpdir(), 'facegate-chromium-'));
  const context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${cameraFile ?? (await fakeCameraFile(dir))}`,
    ],
    viewport,
    isMobile: viewport === PHONE,
    hasTouch: viewport === PHONE,
  });
  context.setDefaultTimeout(30_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Every value a progress bar takes, to show that uploads report progress.
  await page.addInitScript(() => {
    const seen: number[] = ((window as unknown as { progressValues: number[] }).progressValues = []);
    new MutationObserver((records) => {
      for (const r of records) if (r.target instanceof HTMLProgressElement) seen.push(r.target.value);
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['value'] });
  });
  return {
    page,
    context,
    pageErrors,
    async close() {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the fake WeChat login; returns the code, which the test can reuse from Node. */
export async function signIn(page: Page, name: string): Promise<string> {
  const code = `test:${name}`;
  await page.goto(consoleUrl);
  await page.getByLabel('WeChat login code').fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('nav.tabs a.active').waitFor();
  return code;
}

export const fixturePath = (relative: string) => path.join(facesDir, relative);

/** Waits until a picker's upload ends; fails at once, with the error shown, if it did not succeed. */
export async function settled(picker: Locator): Promise<void> {
  const page = picker.page();
  await picker.and(page.locator('[data-state=uploaded], [data-state=failed]')).waitFor({ timeout: SLOW });
  assert.equal(
    await picker.getAttribute('data-state'),
    'uploaded',
    await picker.locator('.status').innerText(),
  );
}

/** Chooses a file in a photo picker and waits for the upload to be validated; asserts the bar hit 100%. */
export async function upload(picker: Locator, relative: string): Promise<void> {
  await picker.locator('input[type=file]').setInputFiles(fixturePath(relative));
  await settled(picker);
  assert.equal(await picker.locator('progress').evaluate((bar: HTMLProgressElement) => bar.value), 100);
  assert.equal(await picker.locator('.percent').textContent(), '100%');
}

export async function screenshot(page: Page, flow: string): Promise<void> {
  await mkdir(artifacts, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0)); // else the sticky header lands mid-page
  await page.screenshot({ path: path.join(artifacts, `${flow}.png`), fullPage: true });
}

/** A 375 px wide page must not scroll sideways. */
export async function assertFitsWidth(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `page is ${scrollWidth} px wide in a ${innerWidth} px window`);
}
