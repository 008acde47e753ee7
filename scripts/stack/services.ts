import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { localDynamoDB, localS3 } from './clients.ts';
import { apiEnv, dataDir, ports, repoRoot, urls } from './env.ts';
import { writeMonitoringConfig } from './monitoring-config.ts';
import { bucketCorsRules, tableDefinition } from './resources.ts';
import { collectFaceAssets } from '../package/face-assets.ts';

/**
 * The services of the local stack, in start order. To add one (web console, RTSP test camera,
 * edge-streamer demo), append a definition here and its name to ServiceName; the supervisor, the
 * summary, `npm run stack` and the test helpers pick it up.
 */

export type ServiceName =
  | 'redis'
  | 'redis-rest'
  | 's3'
  | 'dynamodb'
  | 'wechat'
  | 'wecom'
  | 'api'
  | 'scheduler'
  | 'web'
  | 'camera'
  | 'edge'
  | 'ops-bridge'
  | 'alertmanager'
  | 'prometheus';

export interface ServiceDefinition {
  name: ServiceName;
  /** Printed in the summary. */
  label: string;
  /** Ports it listens on; all must be free before the stack starts. */
  ports: number[];
  /** What a developer points a client at, printed in the summary. */
  address: string;
  /** Started only once these are ready. */
  dependsOn: ServiceName[];
  /** Returns why the service cannot run yet (it is then skipped with a warning). */
  unavailable?: () => string | undefined;
  /** Directory it keeps data in: created before it starts, emptied by a fresh start (npm test). */
  storage?: string;
  /** Executable and arguments; the child runs in the repo root with `env` on top of ours. */
  command: () => { file: string; args: string[]; env?: Record<string, string> };
  /** One readiness probe; polled until true. */
  isReady: () => Promise<boolean>;
  /** A log line that means start-up failed although the process lives on. */
  fatalLogLine?: RegExp;
  /** Runs after every (re)start, once ready: creates what the API expects to exist. */
  setup?: () => Promise<void>;
  readyTimeoutMs?: number;
}

const node = process.execPath;
const modulePath = (...segments: string[]) => path.join(repoRoot, 'node_modules', ...segments);

/** True once anything answers HTTP on the URL, whatever the status. */
async function answersHttp(url: string, init?: RequestInit): Promise<boolean> {
  try {
    await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

async function answersOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** Why a service cannot start when its program (a Debian package, see ensure-system-deps.sh) is absent. */
function missingProgram(program: string): string | undefined {
  const found = (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => existsSync(path.join(dir, program)));
  return found ? undefined : `${program} is not installed (bash scripts/ensure-system-deps.sh)`;
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function redisAnswersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function createBucket(): Promise<void> {
  const s3 = localS3();
  try {
    await s3.send(new CreateBucketCommand({ Bucket: apiEnv.BUCKET_NAME })).catch((error: unknown) => {
      // The bucket persists in the data directory across restarts (s3rver says BucketAlreadyExists).
      if (!['BucketAlreadyExists', 'BucketAlreadyOwnedByYou'].includes((error as Error).name)) throw error;
    });
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: apiEnv.BUCKET_NAME,
        CORSConfiguration: { CORSRules: bucketCorsRules },
      }),
    );
  } finally {
    s3.destroy();
  }
}

async function createTable(): Promise<void> {
  const dynamodb = localDynamoDB();
  try {
    await dynamodb.send(new DescribeTableCommand({ TableName: apiEnv.TABLE_NAME })).catch(async (error) => {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await dynamodb.send(new CreateTableCommand(tableDefinition(apiEnv.TABLE_NAME)));
    });
    // dynalite implements no UpdateTimeToLive (nor expiry), so the TTL attribute is declared in AWS only.
    await waitUntilTableExists(
      { client: dynamodb, maxWaitTime: 30, minDelay: 1 },
      { TableName: apiEnv.TABLE_NAME },
    );
  } finally {
    dynamodb.destroy();
  }
}

export const services: ServiceDefinition[] = [
  {
    name: 'redis',
    label: 'Redis (redis-server)',
    ports: [ports.redis],
    address: `redis://127.0.0.1:${ports.redis}`,
    dependsOn: [],
    storage: path.join(dataDir, 'redis'),
    command: () => ({
      file: 'redis-server',
      // A cache and counters only: no snapshots, no append-only file.
      args: [
        '--port',
        String(ports.redis),
        '--bind',
        '127.0.0.1',
        '--dir',
        path.join(dataDir, 'redis'),
        '--save',
        '',
        '--appendonly',
        'no',
      ],
    }),
    isReady: () => redisAnswersPing(ports.redis),
  },
  {
    name: 'redis-rest',
    label: 'Upstash REST (upstash-redis-server)',
    ports: [ports.redisRest],
    address: `${urls.redisRest} (token ${apiEnv.UPSTASH_REDIS_REST_TOKEN})`,
    dependsOn: ['redis'],
    command: () => ({
      file: node,
      args: [modulePath('@humanwhocodes/upstash-redis-server', 'dist', 'server.js')],
      env: {
        URS_TOKEN: apiEnv.UPSTASH_REDIS_REST_TOKEN,
        PORT: String(ports.redisRest),
        REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
      },
    }),
    isReady: async () => {
      try {
        const response = await fetch(urls.redisRest, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiEnv.UPSTASH_REDIS_REST_TOKEN}` },
          body: JSON.stringify(['PING']),
          signal: AbortSignal.timeout(2000),
        });
        return ((await response.json()) as { result?: unknown }).result === 'PONG';
      } catch {
        return false;
      }
    },
  },
  {
    name: 's3',
    label: 'S3 (s3rver behind a SigV4 + POST-policy front)',
    ports: [ports.s3],
    address: `${urls.s3} (bucket ${apiEnv.BUCKET_NAME})`,
    dependsOn: [],
    storage: path.join(dataDir, 's3'),
    command: () => ({
      file: node,
      // s3rver plus ListParts and AbortMultipartUpload, which resumable uploads need, behind a front on
      // ports.s3 that enforces SigV4 and presigned POST policies as S3 does (s3rver.ts, s3-front.ts).
      args: [
        '--import',
        'tsx',
        path.join(repoRoot, 'scripts', 'stack', 's3rver.ts'),
        '--directory',
        path.join(dataDir, 's3'),
        '--address',
        '127.0.0.1',
        '--port',
        String(ports.s3),
      ],
    }),
    isReady: () => answersHttp(urls.s3),
    setup: createBucket,
  },
  {
    name: 'dynamodb',
    label: 'DynamoDB (dynalite)',
    ports: [ports.dynamodb],
    address: `${urls.dynamodb} (table ${apiEnv.TABLE_NAME})`,
    dependsOn: [],
    storage: path.join(dataDir, 'dynamodb'),
    command: () => ({
      file: node,
      args: [
        modulePath('dynalite', 'cli.js'),
        '--host',
        '127.0.0.1',
        '--port',
        String(ports.dynamodb),
        // LevelDB on disk (prebuilt classic-level binary), so data outlives a restart like the S3 objects do.
        '--path',
        path.join(dataDir, 'dynamodb'),
        '--createTableMs',
        '0',
        '--deleteTableMs',
        '0',
        '--updateTableMs',
        '0',
      ],
    }),
    isReady: () => answersHttp(urls.dynamodb),
    setup: createTable,
  },
  {
    name: 'wechat',
    label: 'fake WeChat (jscode2session)',
    ports: [ports.wechat],
    address: `${urls.wechat}/sns/jscode2session (code test:<name>)`,
    dependsOn: [],
    command: () => ({
      file: node,
      args: ['--import', 'tsx', path.join(repoRoot, 'scripts', 'stack', 'fake-wechat.ts')],
    }),
    isReady: () => answersHttp(`${urls.wechat}/sns/jscode2session`),
  },
  {
    name: 'wecom',
    label: 'fake WeCom group robot (alarms)',
    ports: [ports.wecom],
    address: `${urls.wecom}/messages (what the alert function delivered)`,
    dependsOn: [],
    command: () => ({
      file: node,
      args: ['--import', 'tsx', path.join(repoRoot, 'scripts', 'stack', 'fake-wecom.ts')],
    }),
    isReady: () => answersHttp(`${urls.wecom}/messages`),
  },
  {
    name: 'api',
    label: 'API (serverless offline)',
    ports: [ports.api, ports.lambda],
    address: urls.api,
    dependsOn: ['redis-rest', 's3', 'dynamodb', 'wechat', 'wecom'],
    unavailable: () =>
      existsSync(path.join(repoRoot, 'serverless.yml')) ? undefined : 'serverless.yml does not exist yet',
    command: () => {
      // The face engine reads its models from the folder Lambda artifacts carry (see serverless.yml).
      const faceAssets = collectFaceAssets();
      return {
        file: node,
        args: [
          // rawPath as sent, percent-encoding and trailing slash kept, as API Gateway passes it.
          '--require',
          path.join(repoRoot, 'scripts', 'stack', 'offline-raw-path.cjs'),
          modulePath('serverless', 'bin', 'serverless.js'),
          'offline',
          '--stage',
          apiEnv.STAGE,
          '--host',
          '127.0.0.1',
          '--httpPort',
          String(ports.api),
          '--lambdaPort',
          String(ports.lambda),
        ],
        env: {
          ...apiEnv,
          FACE_MODELS_DIR: faceAssets.modelsDir,
          FACE_WASM_DIR: faceAssets.wasmDir,
          // Keep the framework off the network: no telemetry, no update notices.
          SLS_TELEMETRY_DISABLED: '1',
          SLS_NOTIFICATIONS_MODE: 'off',
        },
      };
    },
    // serverless-offline listens once every route is set up. An HTTP probe would instead invoke a
    // function, and repeated probes would pile up cold starts of the face engine.
    isReady: () => acceptsConnections(ports.api),
    // After an esbuild error the framework prints its error footer but keeps running, never listening.
    fatalLogLine: /^Environment: .*framework/m,
    // Bundling every function with esbuild takes a while on a busy two-core machine.
    readyTimeoutMs: 240_000,
  },
  {
    name: 'scheduler',
    label: 'schedules (uploadsSweep, edgeSweep every minute)',
    ports: [],
    address: `logs/scheduler.log`,
    dependsOn: ['api'],
    // serverless-offline runs no `schedule` events: this invokes the scheduled functions itself.
    command: () => ({
      file: node,
      args: ['--import', 'tsx', path.join(repoRoot, 'scripts', 'stack', 'scheduler.ts')],
    }),
    isReady: async () => true,
  },
  {
    name: 'web',
    label: 'web console (static files)',
    ports: [ports.web],
    address: `http://localhost:${ports.web}/`,
    dependsOn: [],
    // Builds web/dist with esbuild, then serves it (see web/README.md).
    command: () => ({ file: node, args: ['--import', 'tsx', path.join(repoRoot, 'web', 'serve.ts')] }),
    isReady: () => answersHttp(`${urls.web}/`),
  },
  {
    name: 'camera',
    label: 'RTSP test camera (GStreamer)',
    ports: [ports.camera],
    address: urls.camera,
    dependsOn: [],
    // Debian's python3 has the GStreamer bindings (python3-gi); the pipeline encodes only while a client reads.
    command: () => ({
      file: '/usr/bin/python3',
      args: [
        path.join(repoRoot, 'scripts', 'test-camera', 'rtsp_server.py'),
        '--port',
        String(ports.camera),
        '--path',
        '/demo',
        '--width',
        '1280',
        '--height',
        '720',
      ],
    }),
    isReady: () => acceptsConnections(ports.camera),
  },
  {
    name: 'edge',
    label: 'edge-streamer demo (site of test:demo)',
    ports: [ports.edge],
    address: `${urls.edge}/cameras/demo/stream.mjpeg?token=… (tokens from the console or the API)`,
    dependsOn: ['api', 'camera'],
    command: () => ({
      file: node,
      args: ['--import', 'tsx', path.join(repoRoot, 'scripts', 'stack', 'edge-demo.ts')],
    }),
    isReady: () => answersHttp(`${urls.edge}/healthz`),
  },
  {
    name: 'ops-bridge',
    label: 'metrics bridge (API EMF → Prometheus, alerts → WeCom)',
    ports: [ports.opsBridge],
    address: `${urls.opsBridge}/metrics`,
    dependsOn: ['redis-rest', 'wecom'],
    command: () => ({
      file: node,
      args: ['--import', 'tsx', path.join(repoRoot, 'scripts', 'stack', 'ops-bridge.ts')],
      // The relay sends through shared/alerts, which reads the API's configuration (robot, Redis budget).
      env: apiEnv,
    }),
    isReady: () => answersHttp(`${urls.opsBridge}/metrics`),
  },
  {
    name: 'alertmanager',
    label: 'Alertmanager (alerts → bridge → WeCom)',
    ports: [ports.alertmanager],
    address: `${urls.alertmanager}/#/alerts`,
    dependsOn: ['ops-bridge'],
    unavailable: () => missingProgram('prometheus-alertmanager'),
    storage: path.join(dataDir, 'alertmanager'),
    command: () => ({
      file: 'prometheus-alertmanager',
      args: [
        `--config.file=${writeMonitoringConfig().alertmanager}`,
        `--storage.path=${path.join(dataDir, 'alertmanager')}`,
        `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
        // One instance: no gossip port.
        '--cluster.listen-address=',
      ],
    }),
    isReady: () => answersOk(`${urls.alertmanager}/-/ready`),
  },
  {
    name: 'prometheus',
    label: 'Prometheus (API and edge metrics, alert rules)',
    ports: [ports.prometheus],
    address: `${urls.prometheus}/alerts (graphs: /graph, e.g. facegate_requests_sum)`,
    dependsOn: ['ops-bridge', 'alertmanager'],
    unavailable: () => missingProgram('prometheus'),
    storage: path.join(dataDir, 'prometheus'),
    command: () => ({
      file: 'prometheus',
      args: [
        `--config.file=${writeMonitoringConfig().prometheus}`,
        `--storage.tsdb.path=${path.join(dataDir, 'prometheus')}`,
        '--storage.tsdb.retention.time=7d',
        `--web.listen-address=127.0.0.1:${ports.prometheus}`,
      ],
    }),
    isReady: () => answersOk(`${urls.prometheus}/-/ready`),
  },
];
