import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  importJWK,
  importSPKI,
  jwtVerify,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { HttpError } from './http-error.ts';

/**
 * Verifies the stream tokens the cloud API mints: ES256 JWTs with `aud` = this site and `sub` = the
 * camera. The streamer only ever holds public keys, so it cannot mint tokens itself.
 */
export interface TokenVerifier {
  /** Checks signature, expiry and audience; returns the camera the token is for. */
  verify(token: string | undefined): Promise<string>;
}

const ALGORITHMS = ['ES256'];
/** Edge devices' clocks drift; a few seconds of leeway on exp/nbf. */
const CLOCK_TOLERANCE_S = 10;

export async function createTokenVerifier(options: {
  siteId: string;
  jwksUrl?: string;
  publicKey?: string | JWK | { keys: JWK[] };
}): Promise<TokenVerifier> {
  const key = await resolveKey(options);
  return {
    async verify(token) {
      if (!token) throw new HttpError(401, 'TOKEN_MISSING', 'A stream token is required (?token=).');
      try {
        const { payload } = await jwtVerify(token, key as JWTVerifyGetKey, {
          algorithms: ALGORITHMS,
          audience: options.siteId,
          requiredClaims: ['exp', 'sub', 'aud'],
          clockTolerance: CLOCK_TOLERANCE_S,
        });
        return payload.sub!;
      } catch (e) {
        throw tokenError(e);
      }
    },
  };
}

async function resolveKey(options: {
  jwksUrl?: string;
  publicKey?: string | JWK | { keys: JWK[] };
}): Promise<JWTVerifyGetKey | CryptoKey> {
  const { publicKey, jwksUrl } = options;
  if (typeof publicKey === 'string') return importSPKI(publicKey, 'ES256');
  if (publicKey && 'keys' in publicKey) return createLocalJWKSet(publicKey);
  if (publicKey) return (await importJWK(publicKey, 'ES256')) as CryptoKey;
  // Keys are cached for an hour; a token with an unknown `kid` (key rotation) triggers a refetch,
  // at most every 30 s so forged tokens cannot hammer the API.
  return createRemoteJWKSet(new URL(jwksUrl!), {
    cacheMaxAge: 60 * 60 * 1000,
    cooldownDuration: 30_000,
    timeoutDuration: 5000,
  });
}

function tokenError(e: unknown): HttpError {
  if (e instanceof errors.JWTExpired)
    return new HttpError(401, 'TOKEN_EXPIRED', 'The stream token has expired.');
  if (
    e instanceof errors.JWKSTimeout ||
    e instanceof errors.JWKSInvalid ||
    !(e instanceof errors.JOSEError)
  ) {
    // Not the token's fault: the key set could not be fetched (cloud unreachable, bad response).
    return new HttpError(503, 'KEYS_UNAVAILABLE', 'Token keys are unavailable; try again shortly.', {
      'Retry-After': '5',
    });
  }
  if (e instanceof errors.JWTClaimValidationFailed && e.claim === 'aud') {
    return new HttpError(401, 'TOKEN_INVALID', 'The stream token is for another site.');
  }
  return new HttpError(401, 'TOKEN_INVALID', 'The stream token is not valid.');
}
