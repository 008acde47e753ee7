import { apiEnv, ports } from './env.ts';

/**
 * Invokes one function of the local API synchronously through serverless-offline's Lambda invoke API
 * (the path `aws lambda invoke` takes); resolves to its result, rejects with its error.
 */
export async function invokeFunction(key: string, event: unknown = {}): Promise<unknown> {
  const name = `facegate-${apiEnv.STAGE}-${key}`; // <service>-<stage>-<key>, as serverless names it
  const res = await fetch(`http://127.0.0.1:${ports.lambda}/2015-03-31/functions/${name}/invocations`, {
    method: 'POST',
    body: JSON.stringify(event),
    signal: AbortSignal.timeout(300_000),
  });
  const body = await res.text();
  if (!res.ok || res.headers.get('x-amz-function-error')) throw new Error(`${key}: ${res.status} ${body}`);
  return body ? JSON.parse(body) : undefined;
}
