import { setTimeout as sleep } from 'node:timers/promises';
import { shutdownStack, stackStatus, startService, stopService } from './control-client.ts';
import { services, type ServiceName } from './services.ts';
import { killLeftovers, leftoverProcesses } from './supervisor.ts';

/**
 * `npm run stack -- <command>` talks to a stack started by `npm start` or `npm test`:
 *   status                 what runs, where, with which pid (the default)
 *   stop                   stop the whole stack; ends processes an earlier, killed stack left behind
 *   stop <service>         stop one service (e.g. redis, to watch GET /v1/health report it down)
 *   start <service>        start that service again
 */

const usage = `usage: npm run stack -- status | stop [service] | start <service>
services: ${services.map((service) => service.name).join(', ')}`;

async function isRunning(): Promise<boolean> {
  return stackStatus().then(
    () => true,
    () => false,
  );
}

async function printStatus(): Promise<void> {
  if (!(await isRunning())) {
    const leftovers = leftoverProcesses();
    console.log('No facegate stack is running.');
    for (const { name, pid } of leftovers)
      console.log(`  left behind by an earlier stack: ${name} (pid ${pid})`);
    if (leftovers.length) console.log('`npm run stack -- stop` ends them.');
    return;
  }
  for (const service of await stackStatus()) {
    const pid = service.pid ? ` pid ${service.pid}` : '';
    const detail = service.detail ? ` (${service.detail})` : '';
    console.log(`${service.name.padEnd(12)} ${service.state.padEnd(8)} ${service.address}${pid}${detail}`);
  }
}

async function stopStack(): Promise<void> {
  if (await isRunning()) {
    await shutdownStack();
    while (await isRunning()) await sleep(200);
    console.log('Stack stopped.');
  }
  const killed = killLeftovers();
  for (const { name, pid } of killed) console.log(`Killed ${name} (pid ${pid}), left by an earlier stack.`);
  if (killed.length === 0) console.log('Nothing else to stop.');
}

function serviceArgument(value: string | undefined): ServiceName {
  const service = services.find((candidate) => candidate.name === value);
  if (!service) throw new Error(`unknown service "${value ?? ''}"\n${usage}`);
  return service.name;
}

async function main(args: string[]): Promise<void> {
  const [command = 'status', name] = args;
  if (command === 'status') return printStatus();
  if (command === 'stop' && name === undefined) return stopStack();
  if (command === 'stop') {
    console.log(`${name}: ${(await stopService(serviceArgument(name))).state}`);
    return;
  }
  if (command === 'start' && name !== undefined) {
    console.log(`${name}: ${(await startService(serviceArgument(name))).state}`);
    return;
  }
  throw new Error(usage);
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
