import http from 'node:http';

export interface FromResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/**
 * Sends a request from a chosen loopback source address (any of 127.0.0.0/8 works on Linux), so a test
 * of per-address behaviour (failed-login counting, proof-of-work friction, captcha issuance limits)
 * neither sees nor disturbs other tests' 127.0.0.1.
 */
export function requestFrom(
  localAddress: string,
  method: string,
  url: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<FromResponse> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = http.request(
      url,
      {
        method,
        localAddress,
        headers: {
          ...(payload === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(Buffer.concat(chunks).toString() || 'null'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** POSTs JSON from a chosen loopback address (see requestFrom). */
export const postJsonFrom = (localAddress: string, url: string, body: unknown) =>
  requestFrom(localAddress, 'POST', url, { body });

/** A loopback address unlikely to be used by another test file in the same run. */
export const randomLoopback = () =>
  `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${2 + Math.floor(Math.random() * 250)}`;
