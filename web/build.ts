import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import sharp from 'sharp';

/**
 * Builds the web console into web/dist: one JS bundle (web/src plus shared/client) and one stylesheet,
 * both with content hashes so a CDN can cache them forever, an index.html that names them, and
 * config.json (the API base URL, read at run time so one build serves any stage).
 *
 *   npm run web                                     # web/dist with web/config.json as is
 *   npm run web -- --api https://abc.execute-api.eu-west-1.amazonaws.com
 */

export const webDir = path.dirname(fileURLToPath(import.meta.url));
export const distDir = path.join(webDir, 'dist');

export interface ConsoleConfig {
  /** Origin of the API (paths start with /v1); empty means the console's own origin. */
  apiBaseUrl: string;
}

export async function buildConsole(options: { outDir?: string; config?: ConsoleConfig } = {}): Promise<void> {
  const outDir = options.outDir ?? distDir;
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: {
      app: path.join(webDir, 'src', 'main.ts'),
      // The proof-of-work solver's Web Worker (src/pow.ts finds it through a meta tag).
      'pow-worker': path.join(webDir, 'src', 'pow-worker.ts'),
      styles: path.join(webDir, 'src', 'styles.css'),
    },
    outdir: outDir,
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    // Phones a few years old: iOS 15, Android with Chrome 90.
    target: ['es2020', 'safari15', 'chrome90'],
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const outputOf = (entry: string) =>
    path.basename(
      Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint?.endsWith(entry))![0],
    );
  const html = (await readFile(path.join(webDir, 'src', 'index.html'), 'utf8'))
    .replace('%APP_JS%', outputOf('main.ts'))
    .replace('%POW_WORKER_JS%', outputOf('pow-worker.ts'))
    .replace('%STYLES_CSS%', outputOf('styles.css'));
  await writeFile(path.join(outDir, 'index.html'), html);
  await writeIcons(outDir);
  if (options.config)
    await writeFile(path.join(outDir, 'config.json'), JSON.stringify(options.config, null, 2) + '\n');
  else await copyFile(path.join(webDir, 'config.json'), path.join(outDir, 'config.json'));
}

/**
 * favicon.svg for the page's `<link rel="icon">`, and favicon.ico beside it for clients that ask for
 * /favicon.ico regardless (without it every such load logs a 404).
 */
async function writeIcons(outDir: string): Promise<void> {
  const svg = path.join(webDir, 'src', 'favicon.svg');
  await copyFile(svg, path.join(outDir, 'favicon.svg'));
  const png = await sharp(svg).resize(32, 32).png().toBuffer();
  await writeFile(path.join(outDir, 'favicon.ico'), icoWithPng(png, 32));
}

/** An ICO file holding one PNG image (a format every browser since IE 11 reads). */
function icoWithPng(png: Buffer, size: number): Buffer {
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size, 6); // width
  header.writeUInt8(size, 7); // height
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(header.length, 18); // offset of the image data
  return Buffer.concat([header, png]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const apiIndex = process.argv.indexOf('--api');
  const apiBaseUrl = apiIndex > 0 ? process.argv[apiIndex + 1] : undefined;
  await buildConsole(apiBaseUrl ? { config: { apiBaseUrl: apiBaseUrl.replace(/\/+$/, '') } } : {});
  console.log(`web console built into ${path.relative(process.cwd(), distDir) || '.'}/`);
}
