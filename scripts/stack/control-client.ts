import { urls } from './env.ts';
import type { ServiceName } from './services.ts';
import type { ServiceStatus } from './supervisor.ts';

/** Client of the running stack's control endpoint (control-server.ts), for tests and `npm run stack`. */

async function call(method: 'GET' | 'POST', route: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${urls.control}${route}`, { method });
  } catch {
    throw new Error(
      `No facegate stack answers on ${urls.control}: start one with \`npm start\` or \`npm test\`.`,
    );
  }
  const body = (await response.json()) as { error?: string };
  if (!response.ok) throw new Error(`${method} ${route}: ${body.error ?? response.status}`);
  return body;
}

export async function stackStatus(): Promise<ServiceStatus[]> {
  return (await call('GET', '/services')) as ServiceStatus[];
}

export async function stopService(name: ServiceName): Promise<ServiceStatus> {
  return (await call('POST', `/services/${name}/stop`)) as ServiceStatus;
}

export async function startService(name: ServiceName): Promise<ServiceStatus> {
  return (await call('POST', `/services/${name}/start`)) as ServiceStatus;
}

export async function shutdownStack(): Promise<void> {
  await call('POST', '/shutdown');
}
