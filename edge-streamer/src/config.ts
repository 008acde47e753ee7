import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { cameraIdSchema } from './camera-id.ts';

/**
 * The streamer's JSON config file, validated with zod. Secrets may come from the environment instead
 * of the file: EDGE_KEY replaces `api.edgeKey`, and `${NAME}` in a camera URL is replaced by the
 * variable NAME (so camera passwords can live in a secret store rather than in the file).
 */

const CAMERA_URL = /^(rtsps?|https?|file):\/\//i;

const cameraSchema = z.strictObject({
  // The same rule the API applies to heartbeats (camera-id.ts).
  cameraId: cameraIdSchema,
  name: z.string().min(1).max(128),
  url: z.string().refine((url) => CAMERA_URL.test(url) || url.startsWith('/') || url.startsWith('.'), {
    message: 'must be an rtsp://, rtsps://, http(s):// or file:// URL, or a file path',
  }),
  /** Output width in pixels; the height follows the aspect ratio. */
  width: z.number().int().min(32).max(7680).multipleOf(2).default(640),
  /** Frame-rate cap; frames beyond it are dropped (never delayed). Omitted: the source's rate. */
  fps: z.number().positive().max(60).optional(),
  /** JPEG quality 1 (smallest) to 100 (best). */
  quality: z.number().int().min(1).max(100).default(75),
  /** Keep the camera running without viewers. */
  alwaysOn: z.boolean().default(false),
});

const jwkSchema = z.looseObject({ kty: z.string() });
const jwksSchema = z.looseObject({ keys: z.array(jwkSchema).min(1) });

const configSchema = z
  .strictObject({
    /** 0 picks a free port (tests). */
    port: z.number().int().min(0).max(65535),
    host: z.string().min(1).default('0.0.0.0'),
    /** The address viewers use (the tunnel's hostname), reported to the cloud. */
    publicUrl: z.url({ protocol: /^https?$/ }),
    siteId: z.string().min(1).max(64),
    api: z.strictObject({
      baseUrl: z.url({ protocol: /^https?$/ }),
      edgeKey: z.string().min(1, 'is required (or set EDGE_KEY)'),
    }),
    /** Where the token-signing public keys are published; default: the API's well-known JWKS. */
    jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** A pinned public key instead of jwksUrl: PEM (SPKI), a JWK or a JWK set. */
    publicKey: z.union([z.string().includes('BEGIN PUBLIC KEY'), jwkSchema, jwksSchema]).optional(),
    /**
     * Bearer token that GET /metrics then requires (`Authorization: Bearer <token>`); unset: /metrics
     * is open, like /healthz. Env EDGE_METRICS_TOKEN overrides it.
     */
    metricsToken: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
    heartbeatSeconds: z.number().min(1).max(3600).default(15),
    /** An on-demand camera stops this long after its last viewer leaves. */
    idleTimeoutSeconds: z.number().min(0).max(86_400).default(30),
    /** No frame for this long while running means the pipeline stalled: restart it. */
    stallSeconds: z.number().min(1).max(600).default(5),
    /** Time allowed from starting ffmpeg to its first frame. */
    connectTimeoutSeconds: z.number().min(1).max(600).default(10),
    /** How long a new viewer waits for the first frame of a camera that is starting. */
    startWaitSeconds: z.number().min(0).max(60).default(8),
    backoff: z
      .strictObject({
        initialMs: z.number().int().min(10).default(500),
        maxMs: z.number().int().min(10).default(3000),
      })
      .default({ initialMs: 500, maxMs: 3000 }),
    ffmpegPath: z.string().min(1).default('ffmpeg'),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    cameras: z.array(cameraSchema).min(1),
  })
  .refine((c) => !(c.jwksUrl && c.publicKey), {
    message: 'set either jwksUrl or publicKey, not both',
    path: ['publicKey'],
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.cameras.forEach((camera, i) => {
      if (seen.has(camera.cameraId)) {
        ctx.addIssue({ code: 'custom', message: 'duplicate cameraId', path: ['cameras', i, 'cameraId'] });
      }
      seen.add(camera.cameraId);
    });
  });

export type EdgeConfig = z.infer<typeof configSchema>;
export type CameraConfig = EdgeConfig['cameras'][number];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates a parsed config object after applying the environment overrides. */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env): EdgeConfig {
  const withEnv = applyEnv(raw, env);
  const parsed = configSchema.safeParse(withEnv);
  if (!parsed.success) {
    // Name each bad field; never echo values, which may be secrets.
    const problems = parsed.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => `  - ${[...issue.path, key].join('.')}: unknown setting`)
        : [`  - ${issue.path.join('.') || '(root)'}: ${issue.message}`],
    );
    throw new ConfigError(`Invalid edge-streamer config:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<EdgeConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read config file ${file}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`Config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(raw, env);
}

/** The JWKS address used when neither jwksUrl nor publicKey is configured. */
export const defaultJwksUrl = (apiBaseUrl: string) =>
  new URL('v1/.well-known/jwks.json', apiBaseUrl.endsWith('/') ? apiBaseUrl : `${apiBaseUrl}/`).href;

function applyEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (!isRecord(raw)) return raw;
  const out: Record<string, unknown> = { ...raw };
  if (env.EDGE_KEY) out.api = { ...(isRecord(raw.api) ? raw.api : {}), edgeKey: env.EDGE_KEY };
  if (env.EDGE_METRICS_TOKEN) out.metricsToken = env.EDGE_METRICS_TOKEN;
  if (Array.isArray(raw.cameras)) {
    out.cameras = raw.cameras.map((camera, i) =>
      isRecord(camera) && typeof camera.url === 'string'
        ? { ...camera, url: expandVariables(camera.url, env, `cameras.${i}.url`) }
        : camera,
    );
  }
  return out;
}

function expandVariables(value: string, env: NodeJS.ProcessEnv, where: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined)
      throw new ConfigError(`Invalid edge-streamer config:\n  - ${where}: \${${name}} is not set`);
    // The value lands inside a URL: encode it so a password may contain "@", ":" or "/".
    return encodeURIComponent(v);
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
