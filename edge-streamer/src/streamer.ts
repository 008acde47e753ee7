import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenVerifier } from './auth.ts';
import { Camera } from './camera.ts';
import { defaultJwksUrl, type EdgeConfig } from './config.ts';
import { heartbeatBody, startHeartbeat, type Heartbeat } from './heartbeat.ts';
import { createHttpServer } from './http-server.ts';
import { createLogger, type Logger } from './log.ts';
import { renderMetrics, type CameraEntry } from './metrics.ts';
import { ViewerHub } from './viewers.ts';

export interface Streamer {
  server: Server;
  /** The port actually bound (config port 0 picks one). */
  port: number;
  cameras: Map<string, CameraEntry>;
  heartbeat: Heartbeat;
  close(): Promise<void>;
}

/** Wires cameras, viewers, auth, HTTP and heartbeat together and starts listening. */
export async function startStreamer(
  config: EdgeConfig,
  log: Logger = createLogger(config.logLevel),
): Promise<Streamer> {
  const auth = await createTokenVerifier({
    siteId: config.siteId,
    publicKey: config.publicKey,
    jwksUrl: config.publicKey ? undefined : (config.jwksUrl ?? defaultJwksUrl(config.api.baseUrl)),
  });

  const cameras = new Map<string, CameraEntry>();
  for (const cameraConfig of config.cameras) {
    const camera = new Camera({
      config: cameraConfig,
      log,
      ffmpegPath: config.ffmpegPath,
      idleTimeoutMs: config.idleTimeoutSeconds * 1000,
      stallMs: config.stallSeconds * 1000,
      connectTimeoutMs: config.connectTimeoutSeconds * 1000,
      backoff: config.backoff,
    });
    cameras.set(camera.id, { camera, hub: new ViewerHub(camera) });
  }
  const cameraList = () => [...cameras.values()].map((e) => e.camera);

  const heartbeat = startHeartbeat({
    apiBaseUrl: config.api.baseUrl,
    edgeKey: config.api.edgeKey,
    intervalMs: config.heartbeatSeconds * 1000,
    body: () => heartbeatBody(config.siteId, config.publicUrl, cameraList()),
    log,
  });
  for (const camera of cameraList()) camera.on('status', () => heartbeat.nudge());

  const server = createHttpServer({
    cameras,
    auth,
    metrics: () => renderMetrics([...cameras.values()], heartbeat.stats),
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    log,
    startWaitMs: config.startWaitSeconds * 1000,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info('edge-streamer listening', {
    host: config.host,
    port,
    siteId: config.siteId,
    cameras: cameras.size,
  });

  for (const camera of cameraList()) camera.start();

  return {
    server,
    port,
    cameras,
    heartbeat,
    async close() {
      heartbeat.stop();
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await Promise.all([closed, ...cameraList().map((c) => c.stop())]);
    },
  };
}
