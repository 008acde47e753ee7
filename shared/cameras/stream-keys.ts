import { createECDH, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { config } from '../config.ts';
import { hmacHex } from '../auth/crypto.ts';

/**
 * The ES256 key pair behind camera stream tokens. Edge-streamers verify tokens with the public
 * half (JWKS), so a streamer holds nothing that can mint them.
 */
export interface StreamKeys {
  privateKey: KeyObject;
  publicJwk: Record<string, string>;
  kid: string;
}

let keys: StreamKeys | undefined;

/** Local stage only: a P-256 key derived from AUTH_SECRET, identical in every local container. */
function derivedLocalKey(): KeyObject {
  const d = Buffer.from(hmacHex(config().AUTH_SECRET, 'stream-token-key:local'), 'hex');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const pub = ecdh.getPublicKey(); // 0x04 || X || Y
  return createPrivateKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: d.toString('base64url'),
      x: pub.subarray(1, 33).toString('base64url'),
      y: pub.subarray(33).toString('base64url'),
    },
  });
}

export function streamKeys(): StreamKeys {
  if (!keys) {
    const pem = config().STREAM_TOKEN_PRIVATE_KEY;
    const privateKey = pem ? createPrivateKey(pem) : derivedLocalKey();
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, string>;
    const kid = hmacHex('kid', `${jwk.x}.${jwk.y}`).slice(0, 16);
    keys = {
      privateKey,
      kid,
      publicJwk: { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y!, kid, alg: 'ES256', use: 'sig' },
    };
  }
  return keys;
}

/** The body of GET /v1/.well-known/jwks.json: the public key(s) streamers verify tokens with. */
export const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.string())) });

export const jwks = (): z.infer<typeof jwksSchema> => ({ keys: [streamKeys().publicJwk] });
