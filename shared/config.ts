import { z } from 'zod';

/**
 * All configuration comes from environment variables, validated once per container.
 * Defaults suit the local stack (`npm start`); serverless.yml sets the AWS values.
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/**
 * Where the face engine finds its files; the Lambda packaging sets both (shared/face/models.ts). Its own
 * section, so benchmarks and unit tests can load the engine without the API's secrets.
 */
const faceSchema = z.object({
  FACE_MODELS_DIR: z.string().min(1).optional(),
  FACE_WASM_DIR: z.string().min(1).optional(),
});

const schema = faceSchema.extend({
  STAGE: z.string().default('local'),
  AWS_REGION: z.string().default('us-east-1'),
  TABLE_NAME: z.string().default('facegate-local'),
  BUCKET_NAME: z.string().default('facegate-local-images'),
  /** Set only for local emulators (dynalite, s3rver); empty in AWS. */
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  S3_ENDPOINT: z.string().url().optional(),
  /** Public S3 endpoint put in presigned URLs when it differs from S3_ENDPOINT. */
  S3_PUBLIC_ENDPOINT: z.string().url().optional(),
  UPSTASH_REDIS_REST_URL: z.string().url(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
  /** HMAC secret that signs session tokens and derives per-session signing keys. */
  AUTH_SECRET: z.string().min(32),
  SESSION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86400)
    .default(7200),
  WECHAT_API_BASE: z.string().url().default('https://api.weixin.qq.com'),
  WECHAT_APP_ID: z.string().min(1),
  WECHAT_APP_SECRET: z.string().min(1),
  /**
   * ES256 private key (PKCS#8 PEM) that signs camera stream tokens. Required outside the local
   * stage; locally a key is derived from AUTH_SECRET so that every container agrees on it.
   */
  STREAM_TOKEN_PRIVATE_KEY: z.string().optional(),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(6 * 1024 * 1024),
  MAX_IMAGE_PIXELS: z.coerce.number().int().positive().default(40_000_000),
  /** Uploads (original and validated copy) are deleted this long after creation. */
  UPLOAD_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /** Largest direct-to-S3 upload (POST /v1/uploads); above 10 MiB uploads are multipart. */
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(50 * 1024 * 1024),
  FACE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(30),
  DAILY_QUOTA_PER_USER: z.coerce.number().int().positive().default(5000),
  GLOBAL_DAILY_BUDGET: z.coerce.number().int().positive().default(1_000_000),
  /** GET /v1/captcha: captchas per source address (IPv6 by /64) and in all, per minute (shared/limits). */
  CAPTCHA_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().positive().default(20),
  CAPTCHA_GLOBAL_PER_MINUTE: z.coerce.number().int().positive().default(3000),
  /**
   * Face library (shared/library): enrolment gate (face box side in px, sharpness 0..1), faces per person,
   * the lead the best person needs over the runner-up to be named (similarity scale), warm gallery memory.
   */
  ENROL_MIN_FACE_SIZE: z.coerce.number().int().positive().default(64),
  ENROL_MIN_SHARPNESS: z.coerce.number().min(0).max(1).default(0.2),
  PERSON_MAX_FACES: z.coerce.number().int().positive().default(100),
  /** Opt-in: keep a JPEG crop of each enrolled face (for re-embedding after a model change); see PRIVACY.md. */
  ENROL_STORE_CROPS: bool.default(false),
  SEARCH_MARGIN: z.coerce.number().min(0).max(1).default(0.08),
  GALLERY_CACHE_MB: z.coerce.number().int().positive().default(256),
  CORS_ORIGINS: z.string().default('*'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  LOG_REQUESTS: bool.default(true),
  /** The WeCom group robot alarms are posted to (functions/alert-wecom.ts); without a key nothing is sent. */
  WECOM_WEBHOOK_URL: z.string().url().default('https://qyapi.weixin.qq.com/cgi-bin/webhook/send'),
  WECOM_WEBHOOK_KEY: z.string().min(1).optional(),
  /** Share of invocations (0..1) that log at debug level whatever LOG_LEVEL says (Powertools sampling). */
  LOG_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0),
});

export type Config = z.infer<typeof schema>;

const checked = schema.refine((c) => c.STAGE === 'local' || !!c.STREAM_TOKEN_PRIVATE_KEY, {
  path: ['STREAM_TOKEN_PRIVATE_KEY'],
  message: 'required outside the local stage',
});

/** Variables as serverless.yml passes them: unset optional ones arrive as empty strings, i.e. absent. */
const environment = () => Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ''));

function parse<T>(section: z.ZodType<T>): T {
  const parsed = section.safeParse(environment());
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${fields}`);
  }
  return parsed.data;
}

let cached: Config | undefined;
let cachedFace: z.infer<typeof faceSchema> | undefined;

/**
 * The whole configuration, validated once per container. Handlers validate it when their module loads
 * inside Lambda (shared/http/api.ts), so a bad deployment fails its cold start with the list of fields
 * in the log instead of answering 500 to every request.
 */
export function config(): Config {
  cached ??= parse(checked);
  return cached;
}

/** The face engine's section alone. */
export function faceConfig(): z.infer<typeof faceSchema> {
  cachedFace ??= parse(faceSchema);
  return cachedFace;
}
