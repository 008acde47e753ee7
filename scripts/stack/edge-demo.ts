import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../edge-streamer/src/config.ts';
import { createLogger } from '../../edge-streamer/src/log.ts';
import { startStreamer } from '../../edge-streamer/src/streamer.ts';
import { FacegateClient } from '../../shared/client/client.ts';
import { dataDir, edgeMetricsToken, urls } from './env.ts';

/**
 * The stack's streamer demo: signs in as the demo user (`test:demo`, the console's default), registers
 * a site once (its edge key is kept under the data directory, as an installer would keep it), writes
 * an edge-streamer config for the RTSP test camera and runs the streamer, which then heartbeats to the
 * local API. In the console, sign in as `test:demo` and open Cameras.
 */
const DEMO_USER = 'test:demo';
const dir = path.join(dataDir, 'edge-demo');
const siteFile = path.join(dir, 'site.json');
const configFile = path.join(dir, 'config.json');

async function demoSite(client: FacegateClient): Promise<{ siteId: string; edgeKey: string }> {
  if (existsSync(siteFile)) {
    const saved = JSON.parse(readFileSync(siteFile, 'utf8')) as { siteId: string; edgeKey: string };
    const sites = await client.get('/v1/sites');
    if (sites.body.items?.some((s: { siteId: string }) => s.siteId === saved.siteId)) return saved;
  }
  const created = await client.post('/v1/sites', { name: 'Local demo site' });
  if (created.status !== 201) throw new Error(`cannot create the demo site: ${JSON.stringify(created.body)}`);
  const site = { siteId: created.body.siteId as string, edgeKey: created.body.edgeKey as string };
  writeFileSync(siteFile, JSON.stringify(site), { mode: 0o600 });
  return site;
}

mkdirSync(dir, { recursive: true });
const apiOrigin = new URL(urls.api).origin;
const client = await FacegateClient.login(apiOrigin, DEMO_USER);
const { siteId, edgeKey } = await demoSite(client);
const { port } = new URL(urls.edge);
writeFileSync(
  configFile,
  JSON.stringify(
    {
      port: Number(port),
      publicUrl: urls.edge,
      siteId,
      api: { baseUrl: apiOrigin, edgeKey },
      jwksUrl: `${urls.api}/.well-known/jwks.json`,
      heartbeatSeconds: 5,
      metricsToken: edgeMetricsToken,
      cameras: [
        {
          cameraId: 'demo',
          name: 'Demo camera (RTSP test pattern)',
          url: urls.camera,
          width: 640,
          fps: 15,
          quality: 75,
        },
      ],
    },
    null,
    2,
  ),
  { mode: 0o600 },
);
const config = await loadConfig(configFile);
const streamer = await startStreamer(config, createLogger(config.logLevel));
const stop = () => void streamer.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
