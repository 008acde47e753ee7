import http from 'node:http';
import { ports } from './env.ts';
import type { ServiceName } from './services.ts';
import type { Stack } from './supervisor.ts';

/**
 * A small HTTP endpoint on the running stack (loopback only) through which tests and `npm run stack`
 * stop and restart one service. The supervisor stays the only owner of the processes, so a service
 * restarted on a test's behalf is still stopped with the rest of the stack.
 *
 *   GET  /services                     -> ServiceStatus[]
 *   POST /services/<name>/stop|start   -> ServiceStatus of that service, once stopped / ready
 *   POST /shutdown                     -> 202, then the whole stack stops
 *
 * Its client is control-client.ts.
 */

export function serveControl(stack: Stack, onShutdownRequest: () => void): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const action = /^\/services\/([\w-]+)\/(stop|start)$/.exec(req.url ?? '');

    if (req.method === 'GET' && req.url === '/services') return reply(200, stack.status());
    if (req.method === 'POST' && req.url === '/shutdown') {
      reply(202, { stopping: true });
      return onShutdownRequest();
    }
    if (req.method === 'POST' && action) {
      const name = action[1] as ServiceName;
      const operation = action[2] === 'stop' ? stack.stopService(name) : stack.startService(name);
      operation.then(
        () =>
          reply(
            200,
            stack.status().find((service) => service.name === name),
          ),
        (error: Error) => reply(409, { error: error.message }),
      );
      return;
    }
    reply(404, { error: `no route ${req.method} ${req.url}` });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(ports.control, '127.0.0.1', () => resolve(server));
  });
}
