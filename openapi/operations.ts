import { z } from 'zod';
import type { ErrorCode } from '../shared/errors.ts';
import { auditPageSchema } from '../shared/audit/audit-log.ts';
import { loginResultSchema } from '../shared/auth/login.ts';
import { callerSchema } from '../shared/auth/me.ts';
import { cameraListSchema, heartbeatReceiptSchema, streamTokenSchema } from '../shared/cameras/cameras.ts';
import { createdSiteSchema, siteListSchema } from '../shared/cameras/sites.ts';
import { jwksSchema } from '../shared/cameras/stream-keys.ts';
import { captchaSchema } from '../shared/captcha/challenge.ts';
import { captchaAnsweredSchema } from '../shared/captcha/guarded.ts';
import { compareResultSchema } from '../shared/face-service/compare.ts';
import { detectResultSchema } from '../shared/face-service/detect.ts';
import { livenessCheckSchema } from '../shared/face-service/liveness.ts';
import { boxSchema, faceSchema } from '../shared/face-service/present.ts';
import { healthReportSchema } from '../shared/health/dependencies.ts';
import { enrolledFaceSchema } from '../shared/library/faces.ts';
import { personPageSchema, personSchema, personWithFacesSchema } from '../shared/library/persons.ts';
import { searchResultSchema } from '../shared/library/search.ts';
import { sessionCreatedSchema, verifyResultSchema } from '../shared/liveness/schemas.ts';
import { userDataExportSchema } from '../shared/privacy/export.ts';
import { uploadTicketSchema } from '../shared/uploads/create.ts';
import { uploadPartsSchema } from '../shared/uploads/lifecycle.ts';
import { uploadSchema } from '../shared/uploads/records.ts';

/**
 * What the handlers' request schemas cannot say: summaries, success bodies and the error codes
 * each operation may answer besides the common ones (400/401/413/429/503 are added from the
 * route's own options). Keyed by the function name in serverless.yml. Success bodies are the schemas
 * of the shared/ code that builds them, whose return types they fix.
 */
export interface OperationDoc {
  summary: string;
  description?: string;
  tag: string;
  status?: number;
  response?: z.ZodType;
  responseDescription?: string;
  /** Codes this operation may answer besides the common ones; statuses come from the catalogue. */
  errors?: ErrorCode[];
  errorDescriptions?: Record<number, string>;
  /** Error statuses whose body is a more specific schema than Error (a components.schemas name). */
  errorSchemas?: Record<number, string>;
  /** Request header parameters (components.parameters names) besides the signature headers. */
  headers?: string[];
  /** Other statuses answered with the success body's shape rather than the error model (e.g. health's 503). */
  alsoAnswers?: Record<number, string>;
  security?: Record<string, string[]>[];
}

const ref = (name: string) => z.any().meta({ $ref: `#/components/schemas/${name}` } as never);

/** `details.challenge` of a 428 POW_REQUIRED: an ALTCHA (v1, SHA-256) challenge. */
const powChallenge = z
  .object({
    algorithm: z.literal('SHA-256'),
    challenge: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .meta({ description: 'hex SHA-256(salt + number)' }),
    maxnumber: z.number().int().meta({ description: 'the number is at most this' }),
    salt: z.string().meta({ description: 'carries the signed parameters: expires (epoch s), level, scope' }),
    signature: z
      .string()
      .meta({ description: 'hex HMAC-SHA256 of challenge, with a key derived from AUTH_SECRET' }),
  })
  .meta({
    description:
      'Find the integer n in [0, maxnumber] with hex SHA-256(salt + n) = challenge; send base64(JSON {algorithm, challenge, number: n, salt, signature}) in X-Pow-Solution. Expires 120 s after issue; single use.',
  });

/**
 * Proof of work: the endpoints that may ask for it (GET /v1/captcha, POST /v1/auth/session) answer these
 * besides their own errors. shared/pow/friction.ts decides.
 */
const POW_ERRORS: ErrorCode[] = ['POW_INVALID', 'POW_REPLAYED', 'POW_EXPIRED', 'POW_REQUIRED'];
const POW_ERROR_DESCRIPTIONS: Record<number, string> = {
  403: 'POW_INVALID: the X-Pow-Solution value is not a right solution of a challenge we issued for this endpoint.',
  409: 'POW_REPLAYED: the solution was already used (each challenge opens one request).',
  410: 'POW_EXPIRED: the challenge is older than 120 s; retry without the header for a new one.',
  428: "POW_REQUIRED: the caller's recent failures or volume are high (per address, and per user once WeChat has named the user). Solve `details.challenge` and send the request again with the solution in X-Pow-Solution. `details.level` (1-4) grows with failures, each level four times the work of the one before, and falls back as they age (half-life 10 min).",
};
const powDoc = { errorSchemas: { 428: 'PowRequired' }, headers: ['PowSolution'] };

export const sharedSchemas = {
  Error: z.object({
    error: z.object({
      code: ref('ErrorCode'),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
      requestId: z.string(),
    }),
  }),
  PowChallenge: powChallenge,
  PowRequired: z.object({
    error: z.object({
      code: z.literal('POW_REQUIRED'),
      message: z.string(),
      details: z.object({
        challenge: ref('PowChallenge'),
        level: z.number().int().min(1).max(4),
        header: z.literal('X-Pow-Solution'),
      }),
      requestId: z.string(),
    }),
  }),
  Box: boxSchema,
  Face: faceSchema,
};

/**
 * Errors of every endpoint that takes `image` or `uploadId` (the upload may be unknown, still pending
 * or rejected), plus the endpoint's own.
 */
const imageErrors = (...own: ErrorCode[]): ErrorCode[] => [
  'NOT_FOUND',
  'UPLOAD_NOT_VALIDATED',
  'IMAGE_TOO_LARGE',
  'UNSUPPORTED_IMAGE',
  'UPLOAD_REJECTED',
  ...own,
];

export const operations: Record<string, OperationDoc> = {
  health: {
    tag: 'platform',
    summary: 'Checks every dependency: a real round trip to DynamoDB, S3 and Redis.',
    description:
      'faceEngine is "ok" when this container has loaded the face models, or, in a container that has not, ' +
      'when every model file and the WASM binary are present: the check never loads the models, so a cold ' +
      'health check answers in about a second instead of waiting for them. Each check gives up after 3 s.',
    response: healthReportSchema,
    alsoAnswers: {
      503: 'A dependency is down; the body is the same shape as 200 with the failing ones marked "down".',
    },
  },
  authSession: {
    tag: 'auth',
    summary: 'Exchanges a wx.login code for a session token and signing key.',
    description:
      "WeChat's session_key stays on the server. After 5 failed logins from one address within 15 minutes (more when many users sign in from it), a captchaToken from POST /v1/captcha/verify is required; after further failures (wrong captcha answers) a proof of work comes first (428). A user signing in unusually often (about 30 times within minutes) is asked for a proof of work after WeChat has named them: that code is spent, so retry with a new wx.login code and the solution.",
    response: loginResultSchema,
    errors: [
      'CAPTCHA_REQUIRED',
      'INVALID_LOGIN_CODE',
      'LOGIN_BLOCKED',
      'LOGIN_RATE_LIMITED',
      'WECHAT_ERROR',
      'WECHAT_BUSY',
      'WECHAT_UNAVAILABLE',
      ...POW_ERRORS,
    ],
    errorDescriptions: POW_ERROR_DESCRIPTIONS,
    ...powDoc,
  },
  me: {
    tag: 'auth',
    summary: 'The cheapest signed call: who am I and how much quota is used today.',
    response: callerSchema,
  },
  facesDetect: {
    tag: 'faces',
    summary: 'Detects faces with box, landmarks, age, gender, emotion, pose and quality.',
    description:
      'Identical image bytes with the same maxFaces are answered from a per-user cache (`cached: true`); `fields` limits the optional attributes returned.',
    response: detectResultSchema,
    errors: imageErrors(),
  },
  facesCompare: {
    tag: 'faces',
    summary: '1:1 verification of the largest face in each image.',
    description: [
      '`match` is `similarity >= threshold`, the threshold of `matchLevel` (default NORMAL): LOW, NORMAL and HIGH are calibrated to false-match rates of 1e-2, 1e-3 and 1e-4 per comparison (ACCURACY.md says on what data and with what uncertainty).',
      "`livenessSessionId` binds the decision to a liveness session the caller passed within the last 120 s: the face of image `a` must be the same person (NORMAL level) as the session's reference face, else 422 LIVENESS_REQUIRED (`details.problem`: NO_PASSED_SESSION or DIFFERENT_PERSON).",
    ].join('\n\n'),
    response: compareResultSchema,
    errors: imageErrors('NO_FACE', 'LIVENESS_REQUIRED', 'DESCRIPTOR_MISMATCH'),
  },
  facesLiveness: {
    tag: 'faces',
    summary: 'Passive liveness (anti-spoofing) of the largest face.',
    description:
      'Never cached. A byte-identical image submitted again within 10 minutes is refused with 409 LIVENESS_REPLAY.',
    response: livenessCheckSchema,
    errors: imageErrors('LIVENESS_REPLAY', 'NO_FACE'),
  },
  livenessSessionsCreate: {
    tag: 'liveness',
    summary: 'Starts an active liveness challenge: 2-3 random actions to perform in order.',
    description:
      "LOW and NORMAL ask for 2 actions, HIGH for 3. The session is single use, belongs to the caller and expires after 120 s. Directions are the subject's own (TURN_LEFT: the person turns to their left, i.e. towards the right of an unmirrored camera image).",
    status: 201,
    response: sessionCreatedSchema,
  },
  livenessSessionsVerify: {
    tag: 'liveness',
    summary: "Verifies a burst of 3-30 camera frames against the session's challenge.",
    description: [
      "Frames: unmirrored camera frames (JPEG, PNG or WebP, base64), each at most 300 KB and 4 megapixels, `t` in ms since the first frame (the first is 0). The whole request must stay within the 6 MB body limit (Lambda's own payload limit): about 12 frames of 640x480 JPEG is typical.",
      '`live` is true only when `reasons` is empty. `score` is 0 when the burst is disqualified (TIMING, NO_FACE, MULTIPLE_FACES, DUPLICATE_FRAMES, STATIC_SEQUENCE, FACE_CHANGED), else the lower of `passiveScore` and the share of actions performed in order. NO_FACE: the first frame or more than 20 % of frames show no face. TIMING: `t` must start at 0, rise by at least 20 ms per frame, span at least 250 ms per asked action (500 ms for two, 750 ms for three), and fit in the lifetime of the session (+2 s). `passiveScore` is the mean passive anti-spoofing score of the three most frontal frames. `referenceFace` is the most frontal frame; after a pass its face can be bound to compare, search and enrolment with `livenessSessionId` for 120 s.',
      "Bad frames (400/413/415 with `details.frame`) are refused before the session is used; a second verify of the same session is 409 SESSION_USED, a late one 410 SESSION_EXPIRED, another user's session 404. Frames are never stored.",
    ].join('\n\n'),
    response: verifyResultSchema,
    errors: [
      'NOT_FOUND',
      'SESSION_USED',
      'SESSION_EXPIRED',
      'FRAME_TOO_LARGE',
      'IMAGE_TOO_LARGE',
      'UNSUPPORTED_IMAGE',
      'DESCRIPTOR_MISMATCH',
    ],
  },
  sitesCreate: {
    tag: 'cameras',
    summary: 'Registers an edge-streamer site; its edgeKey is shown only in this response.',
    status: 201,
    response: createdSiteSchema,
  },
  sitesList: {
    tag: 'cameras',
    summary: "The caller's sites, without keys.",
    response: siteListSchema,
  },
  sitesDelete: {
    tag: 'cameras',
    summary: 'Deletes a site, revoking its edge key, and forgets its cameras.',
    status: 204,
    responseDescription: 'Deleted.',
    errors: ['NOT_FOUND'],
  },
  edgeHeartbeat: {
    tag: 'cameras',
    summary: 'An edge-streamer reports its public URL and camera statuses (edge key auth).',
    security: [{ edgeKey: [] }],
    response: heartbeatReceiptSchema,
    errors: ['INVALID_EDGE_KEY'],
  },
  camerasList: {
    tag: 'cameras',
    summary: "Cameras of the caller's sites; a camera whose site went silent for 90 s shows offline.",
    response: cameraListSchema,
  },
  camerasStreamToken: {
    tag: 'cameras',
    summary: 'Short-lived stream and snapshot URLs on the site’s tunnel address.',
    description:
      'The token is an ES256 JWT (sub = cameraId, aud = siteId) that the streamer verifies with GET /v1/.well-known/jwks.json. `siteId` disambiguates a camera id used by several of your sites.',
    response: streamTokenSchema,
    errors: ['NOT_FOUND', 'AMBIGUOUS_CAMERA', 'SITE_NOT_CONNECTED'],
  },
  jwks: {
    tag: 'cameras',
    summary: 'Public key(s) that verify stream tokens.',
    response: jwksSchema,
  },
  ...libraryOperations(),
  ...captchaOperations(),
  ...uploadOperations(),
};

/** Face library (shared/library): persons, their faces, 1:N search, erasure. */
function libraryOperations(): Record<string, OperationDoc> {
  const tag = 'library';
  return {
    personsCreate: {
      tag,
      summary: 'Creates a person (no faces yet).',
      description:
        '`name` is trimmed and normalised to NFC; control characters, bidirectional formatting characters ' +
        '(U+202A-U+202E, U+2066-U+2069, U+200E/U+200F, U+061C) and lone surrogates are refused with 400. ' +
        '`meta` is refused with 400 (naming the offending path, e.g. `meta.a.b`) when it is not an object, ' +
        'exceeds 2048 bytes as JSON or 32 levels of nesting, holds a number that is not finite, beyond ' +
        '±(2^53-1) or below 1e-130 in magnitude (other than 0), an empty key, a key longer than 255 ' +
        'characters or one of `__proto__`, `constructor`, `prototype`. Any request body nested deeper ' +
        'than 64 levels is refused with 400 before it is parsed further.',
      status: 201,
      response: personSchema,
    },
    personsList: {
      tag,
      summary: 'Lists persons, oldest first, a page at a time.',
      description:
        'Pass `nextCursor` back as `cursor` for the next page; `null` means this was the last page.',
      response: personPageSchema,
    },
    personsGet: {
      tag,
      summary: 'A person with their enrolled faces.',
      response: personWithFacesSchema,
      errors: ['NOT_FOUND'],
    },
    personsUpdate: {
      tag,
      summary: 'Renames a person and/or replaces their meta.',
      description: '`name` and `meta` follow the rules of POST /v1/persons.',
      response: personSchema,
      errors: ['NOT_FOUND'],
    },
    personsDelete: {
      tag,
      summary: 'Deletes a person and all their faces.',
      status: 204,
      responseDescription: 'Deleted.',
      errors: ['NOT_FOUND'],
    },
    personFacesCreate: {
      tag,
      summary: 'Enrols the one face of an image for a person.',
      description:
        '201 for a new face; the same image bytes enrolled again for the same person answer 200 with the stored face. LOW_QUALITY details carry the measured faceSize/sharpness and the minimums. With `livenessSessionId`, the face must be the person who passed that liveness session within the last 120 s (else 422 LIVENESS_REQUIRED).',
      status: 201,
      response: enrolledFaceSchema,
      alsoAnswers: {
        200: 'The same image was enrolled for this person before: the stored face, nothing written.',
      },
      errors: imageErrors(
        'FACE_LIMIT_REACHED',
        'NO_FACE',
        'MULTIPLE_FACES',
        'LOW_QUALITY',
        'LIVENESS_REQUIRED',
        'CONSENT_REQUIRED',
        'DESCRIPTOR_MISMATCH',
      ),
    },
    personFacesDelete: {
      tag,
      summary: 'Removes one enrolled face.',
      status: 204,
      responseDescription: 'Deleted.',
      errors: ['NOT_FOUND'],
    },
    search: {
      tag,
      summary: 'Searches every face of an image against your library (1:N).',
      description: [
        'Per face, `matches`: the persons at or above the threshold of `matchLevel` (default NORMAL; LOW/NORMAL/HIGH = false-match rate 1e-2/1e-3/1e-4 per comparison), best first, at most `topK`. The rate is per comparison: against N enrolled persons a stranger meets N chances, so large libraries should search at HIGH.',
        '`decision` is what a gate should act on. `MATCH`: `matches[0]` is the person. `AMBIGUOUS`: the best person clears the threshold but does not lead the runner-up (listed or not) by `SEARCH_MARGIN` (default 0.08 similarity): a look-alike, a person enrolled twice under two names, or a stranger between two people; naming either would be a guess. `NO_MATCH`: nobody clears the threshold (`matches` is empty).',
        "An explicit `threshold` replaces the level's; the response then states `matchLevel` and `falseMatchRate` as null (not calibrated).",
        '`livenessSessionId`: the largest face must be the person who passed that liveness session within the last 120 s, else 422 LIVENESS_REQUIRED.',
      ].join('\n\n'),
      response: searchResultSchema,
      errors: imageErrors('NO_FACE', 'LIVENESS_REQUIRED', 'DESCRIPTOR_MISMATCH'),
    },
    meDataDelete: {
      tag,
      summary: 'Erases everything stored about the caller.',
      description:
        'Persons, faces and their crops, uploads, exports, cached results, liveness sessions, sign-in records, the audit log, and the sites and cameras (their edge keys revoked first, so their streamers stop reporting: 401 INVALID_EDGE_KEY): everything the export lists. One audit entry is written afterwards and kept: that an erasure happened, when, and by which request (the operator must be able to show that a deletion request was honoured). Rate-limit counters, keyed by the pseudonymous user id, expire within a day and are kept so an erasure cannot reset a quota.',
      status: 204,
      responseDescription: 'Erased. Idempotent: retry after a 503 until 204.',
    },
    meExport: {
      tag,
      summary: 'Everything stored about the caller, as one JSON document.',
      description:
        'Persons with their consent, face records without descriptors (templates are derived data and never leave the service), uploads, sites, cameras, site presence (last heartbeat, offline since), sign-ins (times only) and the audit log. A document over 4 MB is not inlined: it is written to S3 and `download` carries a presigned GET valid for 15 minutes (the file is deleted after a day, or by erasure).',
      response: userDataExportSchema,
    },
    meAudit: {
      tag,
      summary: "The audit log of biometric operations on the caller's account, newest first.",
      description:
        'One entry per detect, compare, search, enrol, liveness check or verification, delete, export and erase that reached the service, whatever its outcome (`result`: `ok`, a domain outcome such as `match`/`no_match`/`live`/`not_live`/`faces:N`, or the error code). Entries are kept 365 days. Pass `nextCursor` back as `cursor`; `null` ends the list.',
      response: auditPageSchema,
    },
  };
}

/** Captcha (shared/captcha): public, no signature. */
function captchaOperations(): Record<string, OperationDoc> {
  const tag = 'captcha';
  return {
    captchaGet: {
      tag,
      summary: 'A new image captcha, valid for 300 s.',
      description:
        'The answer is 5 or 6 characters from ACEFHKMNPRTWXY39, case-insensitive. `format=svg` returns an SVG document wrapping the same distorted raster as the PNG (a vector captcha would give solvers every glyph as a path).',
      response: captchaSchema,
      errors: [...POW_ERRORS, 'RATE_LIMITED'],
      errorDescriptions: {
        ...POW_ERROR_DESCRIPTIONS,
        429: 'RATE_LIMITED: at most CAPTCHA_PER_ADDRESS_PER_MINUTE (20) captchas per minute from one address (`details.scope` "address", an IPv6 client counted by its /64) or CAPTCHA_GLOBAL_PER_MINUTE (3000) in all ("global"); Retry-After says when the window ends. Requests answered 428 count too.',
      },
      ...powDoc,
    },
    captchaVerify: {
      tag,
      summary: 'Checks an answer; a right one gives a captchaToken (single use, valid 120 s).',
      description: 'A captcha is consumed by its first right answer or by its third wrong one.',
      response: captchaAnsweredSchema,
      errors: ['CAPTCHA_INCORRECT', 'CAPTCHA_EXPIRED'],
      errorDescriptions: { 400: '`details.attemptsLeft` says how many answers this captcha still takes.' },
    },
  };
}

/** Direct-to-S3 uploads (shared/uploads). */
function uploadOperations(): Record<string, OperationDoc> {
  const tag = 'uploads';
  return {
    uploadsCreate: {
      tag,
      summary: 'Starts an upload straight to S3: a presigned POST up to 10 MiB, multipart above.',
      description:
        'POST: send a multipart/form-data POST to `url` with every entry of `fields`, the file last (field `file`); the policy fixes the key, the content type and the exact size. MULTIPART: PUT each part (`partSize` bytes, the last one less) to its URL and keep the ETag header, then POST /v1/uploads/{uploadId}/complete, which has S3 assemble the parts. A POST upload is validated as soon as it lands (the bucket notifies the API), so polling GET /v1/uploads/{uploadId} until `status` is no longer `pending` is enough; POST …/complete validates at once instead of waiting and answers the result.',
      status: 201,
      response: uploadTicketSchema,
      errors: ['PAYLOAD_TOO_LARGE'],
    },
    uploadsGet: {
      tag,
      summary: 'An upload and, once validated, its image facts.',
      description:
        '`size` and `sha256` are those of the bytes received; width and height those of the upright image. Endpoints given the uploadId use the validated copy, without metadata.',
      response: uploadSchema,
      errors: ['NOT_FOUND'],
    },
    uploadsParts: {
      tag,
      summary: 'The parts S3 holds for a multipart upload, and fresh URLs for the missing ones (resume).',
      response: uploadPartsSchema,
      errors: ['NOT_FOUND', 'UPLOAD_NOT_PENDING', 'UPLOAD_NOT_MULTIPART', 'UPLOAD_INCOMPLETE'],
    },
    uploadsComplete: {
      tag,
      summary: 'Finishes an upload and validates it; idempotent.',
      description:
        'Validation reads the bytes, checks the real type, size, declared sha256 and pixel count, decodes, strips metadata (EXIF, GPS) and applies the orientation. A rejected upload answers 200 with `status: rejected` and a `reason`, and its object is deleted. `parts` is optional: without it the parts S3 holds are used.',
      response: uploadSchema,
      errors: ['NOT_FOUND', 'UPLOAD_INCOMPLETE'],
      errorDescriptions: {
        409: 'Nothing (or not every part) has been uploaded yet; `details.missingParts` for multipart.',
      },
    },
    uploadsDelete: {
      tag,
      summary: 'Aborts or deletes an upload, its parts and objects.',
      status: 204,
      responseDescription: 'Deleted.',
      errors: ['NOT_FOUND'],
    },
  };
}
