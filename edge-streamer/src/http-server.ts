import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { TokenVerifier } from './auth.ts';
import { HttpError, sendError } from './http-error.ts';
import type { Logger } from './log.ts';
import type { CameraEntry } from './metrics.ts';
import { MJPEG_CONTENT_TYPE } from './viewers.ts';

export interface HttpDeps {
  cameras: Map<string, CameraEntry>;
  auth: TokenVerifier;
  metrics: () => string;
  /** Bearer token /metrics requires; undefined: /metrics is open, like /healthz. */
  metricsToken?: string;
  log: Logger;
  /** How long a request waits for the first frame of a camera that is starting. */
  startWaitMs: number;
}

/**
 * Headers that make tunnels, CDNs and reverse proxies pass every frame through at once: no caching,
 * no buffering (nginx honours X-Accel-Buffering), no transformation such as compression.
 */
const NO_BUFFERING = {
  'Cache-Control': 'no-cache, no-store, no-transform, must-revalidate',
  Pragma: 'no-cache',
  Expires: '0',
  'X-Accel-Buffering': 'no',
  'Access-Control-Allow-Origin': '*',
  'X-Content-Type-Options': 'nosniff',
};

const CAMERA_ROUTE = /^\/cameras\/([^/]+)\/(stream\.mjpeg|snapshot\.jpg)$/;

export function createHttpServer(deps: HttpDeps): Server {
  const server = createServer({ noDelay: true }, (req, res) => {
    handle(deps, req, res).catch((e: unknown) => {
      if (e instanceof HttpError) return sendError(res, e);
      deps.log.error('request failed', { path: req.url?.split('?')[0], error: String(e) });
      sendError(res, new HttpError(500, 'INTERNAL', 'Internal error.'));
    });
  });
  // Streams are long-lived; only the request itself has to arrive promptly.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  return server;
}

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://edge.invalid');
  if (req.method !== 'GET') {
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'Only GET is supported.', { Allow: 'GET' });
  }
  if (url.pathname === '/healthz') return sendJson(res, health(deps));
  if (url.pathname === '/metrics') {
    // Open like /healthz unless a token is configured (the contract's plain GET /metrics; the tunnel
    // routes only /cameras/, so both stay on the site's network by default).
    if (deps.metricsToken && !sameSecret(bearer(req) ?? '', deps.metricsToken)) {
      throw new HttpError(
        401,
        'UNAUTHENTICATED',
        'GET /metrics needs Authorization: Bearer <metricsToken>.',
        {
          'WWW-Authenticate': 'Bearer realm="metrics"',
        },
      );
    }
    const body = deps.metrics();
    res.writeHead(200, {
      'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
    });
    res.end(body);
    return;
  }
  const route = CAMERA_ROUTE.exec(url.pathname);
  if (!route) throw new HttpError(404, 'NOT_FOUND', 'No such route.');
  const cameraId = safeDecode(route[1]!);

  // Authenticity first, so anonymous callers learn nothing about which cameras exist.
  const tokenCamera = await deps.auth.verify(url.searchParams.get('token') ?? bearer(req));
  const entry = deps.cameras.get(cameraId);
  if (!entry) throw new HttpError(404, 'NOT_FOUND', 'No such camera.');
  if (tokenCamera !== cameraId)
    throw new HttpError(401, 'TOKEN_INVALID', 'The stream token is for another camera.');

  const { camera, hub } = entry;
  let gone = false; // the client left while we waited for a frame
  res.once('close', () => (gone = true));
  camera.acquire();
  let released = false;
  const release = () => {
    if (!released) camera.release();
    released = true;
  };
  try {
    const frame = await camera.waitForFrame(deps.startWaitMs);
    if (gone) return release();
    if (!frame) {
      throw new HttpError(503, 'CAMERA_UNAVAILABLE', `Camera is ${camera.status}; try again shortly.`, {
        'Retry-After': String(camera.retryAfterSeconds()),
      });
    }
    if (route[2] === 'snapshot.jpg') {
      res.writeHead(200, {
        ...NO_BUFFERING,
        'Content-Type': 'image/jpeg',
        'Content-Length': frame.jpeg.length,
        'Last-Modified': new Date(frame.at).toUTCString(),
      });
      res.end(frame.jpeg);
      return release();
    }
    // No Content-Length: the body is endless. Each part carries its own (see ViewerHub).
    res.writeHead(200, { ...NO_BUFFERING, 'Content-Type': MJPEG_CONTENT_TYPE });
    hub.add(res, release);
  } catch (e) {
    release();
    throw e;
  }
}

function health(deps: HttpDeps) {
  return {
    status: 'ok',
    cameras: [...deps.cameras.values()].map(({ camera, hub }) => ({
      cameraId: camera.id,
      status: camera.status,
      running: camera.running,
      viewers: hub.count,
    })),
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(404, 'NOT_FOUND', 'No such camera.');
  }
}

function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function sendJson(res: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/** Constant-time comparison of two secrets of any length (compares their SHA-256 digests). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
