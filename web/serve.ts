import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { ports } from '../scripts/stack/env.ts';
import { buildConsole, distDir } from './build.ts';

/**
 * The local stack's web console service: builds web/dist (so a fresh clone works without a separate
 * step) and serves it as static files, the way S3 or a CDN would. config.json is answered here with
 * the local API on the host name the browser used, so the console also works from another machine.
 */

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

function hostName(req: http.IncomingMessage): string {
  try {
    return new URL(`http://${req.headers.host ?? 'localhost'}`).hostname;
  } catch {
    return 'localhost';
  }
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  if (pathname === '/config.json') {
    const host = hostName(req);
    const body = JSON.stringify({
      apiBaseUrl: `http://${host.includes(':') ? `[${host}]` : host}:${ports.api}`,
    });
    res.writeHead(200, { 'content-type': types['.json']!, 'cache-control': 'no-store' }).end(body);
    return;
  }
  // The URL path is absolute, so normalising it resolves every `..` at or below dist.
  const file = path.join(distDir, path.posix.normalize(pathname));
  const target = pathname.endsWith('/') ? path.join(file, 'index.html') : file;
  const info = target.startsWith(distDir) ? await stat(target).catch(() => undefined) : undefined;
  if (!info?.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
    return;
  }
  res.writeHead(200, {
    'content-type': types[path.extname(target)] ?? 'application/octet-stream',
    'content-length': info.size,
    // Hashed bundle names change with their content; index.html must always be revalidated.
    'cache-control': /-[A-Z0-9]{8}\.(js|css)$/.test(target)
      ? 'public, max-age=31536000, immutable'
      : 'no-cache',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(target).pipe(res);
}

await buildConsole();
http
  .createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  })
  .listen(ports.web, '127.0.0.1', () => console.log(`web console on http://localhost:${ports.web}/`));
