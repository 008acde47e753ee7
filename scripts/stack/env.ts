import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Single source of the local stack's ports, directories and the environment the API runs with.
 * `npm start`, `npm test` and the integration tests (via tests/support/stack.ts) all read it, so a port
 * overridden by env (FACEGATE_API_PORT=3100 npm test) moves every consumer at once.
 */

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function portFromEnv(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${variable} must be a TCP port (1-65535), got "${raw}"`);
  }
  return port;
}

const wechatPort = portFromEnv('FACEGATE_WECHAT_PORT', 4590);

export const ports = {
  api: portFromEnv('FACEGATE_API_PORT', 3000),
  lambda: portFromEnv('FACEGATE_LAMBDA_PORT', 3002),
  redis: portFromEnv('FACEGATE_REDIS_PORT', 6390),
  redisRest: portFromEnv('FACEGATE_REDIS_REST_PORT', 8079),
  s3: portFromEnv('FACEGATE_S3_PORT', 4569),
  dynamodb: portFromEnv('FACEGATE_DYNAMODB_PORT', 4567),
  wechat: wechatPort,
  /**
   * Fake WeCom group robot that alarms are posted to (scripts/stack/fake-wecom.ts); by default next to
   * the fake WeChat, so stacks given distinct port sets before it existed stay apart.
   */
  wecom: portFromEnv('FACEGATE_WECOM_PORT', wechatPort + 1),
  /** The stack's own control endpoint: lets tests and `npm run stack` stop/start one service. */
  control: portFromEnv('FACEGATE_CONTROL_PORT', 4599),
  /** The web console (static files, web/serve.ts). */
  web: portFromEnv('FACEGATE_WEB_PORT', 8080),
  /** Streamer demo: the GStreamer RTSP test camera and an edge-streamer in front of it. */
  camera: portFromEnv('FACEGATE_CAMERA_PORT', 8554),
  edge: portFromEnv('FACEGATE_EDGE_PORT', 8090),
  /**
   * Local monitoring (monitoring-config.ts): Prometheus, Alertmanager, and the bridge that serves the
   * API's EMF metrics and relays alerts to WeCom. Not Prometheus' own 9090/9093, which Debian's packages
   * may already run as system services.
   */
  prometheus: portFromEnv('FACEGATE_PROMETHEUS_PORT', 9490),
  alertmanager: portFromEnv('FACEGATE_ALERTMANAGER_PORT', 9493),
  opsBridge: portFromEnv('FACEGATE_OPS_BRIDGE_PORT', 9491),
};

/** FACEGATE_SKIP=api,wechat leaves those services out, e.g. to run unit tests while the API is broken. */
export const skippedByEnv = (service: string) =>
  (process.env.FACEGATE_SKIP ?? '').split(',').some((name) => name.trim() === service);

/** Everything the stack writes: service stores, logs/ and pids/. */
export const dataDir = path.resolve(repoRoot, process.env.FACEGATE_DATA_DIR || '.data');
export const logDir = path.join(dataDir, 'logs');
export const pidDir = path.join(dataDir, 'pids');

const host = '127.0.0.1';

export const urls = {
  api: `http://${host}:${ports.api}/v1`,
  redisRest: `http://${host}:${ports.redisRest}`,
  s3: `http://${host}:${ports.s3}`,
  dynamodb: `http://${host}:${ports.dynamodb}`,
  wechat: `http://${host}:${ports.wechat}`,
  wecom: `http://${host}:${ports.wecom}`,
  control: `http://${host}:${ports.control}`,
  web: `http://${host}:${ports.web}`,
  camera: `rtsp://${host}:${ports.camera}/demo`,
  edge: `http://${host}:${ports.edge}`,
  prometheus: `http://${host}:${ports.prometheus}`,
  alertmanager: `http://${host}:${ports.alertmanager}`,
  opsBridge: `http://${host}:${ports.opsBridge}`,
};

/** The demo edge-streamer's /metrics token, which the local Prometheus scrapes with. */
export const edgeMetricsToken = 'local-edge-metrics-token';

/** Environment of the API (serverless offline) and of the test processes; see shared/config.ts. */
export const apiEnv = {
  STAGE: 'local',
  AWS_REGION: 'us-east-1',
  // The S3 front (scripts/stack/s3-front.ts) verifies SigV4 with these; dynalite accepts any.
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  TABLE_NAME: 'facegate-local',
  BUCKET_NAME: 'facegate-local-images',
  DYNAMODB_ENDPOINT: urls.dynamodb,
  S3_ENDPOINT: urls.s3,
  UPSTASH_REDIS_REST_URL: urls.redisRest,
  UPSTASH_REDIS_REST_TOKEN: 'local-token',
  // Fixed so sessions survive a restart of the local API; never used outside the local stack.
  AUTH_SECRET: 'local-dev-only-facegate-auth-secret-0123456789ab',
  WECHAT_API_BASE: urls.wechat,
  WECHAT_APP_ID: 'wx-local',
  WECHAT_APP_SECRET: 'local-secret',
  WECOM_WEBHOOK_URL: `${urls.wecom}/cgi-bin/webhook/send`,
  WECOM_WEBHOOK_KEY: 'local-wecom-key',
  // A cold face function loads its models on the first call; a busy two-core machine needs more than 29 s.
  FACEGATE_LAMBDA_TIMEOUT: '90',
  // Node 20 is the local runtime (Lambda runs 22); the SDK's upgrade notice would fill every log.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
} as const;
