import path from 'node:path';
import { logDir, repoRoot, urls } from './env.ts';
import { services } from './services.ts';
import { Stack, StackError, type ServiceStatus } from './supervisor.ts';

/** `npm start`: runs the local stack in the foreground until Ctrl-C (or `npm run stack -- stop`). */

function printSummary(status: ServiceStatus[], startedAt: number): void {
  const width = Math.max(...status.map((service) => service.label.length));
  console.log(`\nfacegate local stack is up (${((Date.now() - startedAt) / 1000).toFixed(1)} s):`);
  for (const service of status) {
    const where = service.state === 'skipped' ? `skipped: ${service.detail}` : service.address;
    console.log(`  ${service.label.padEnd(width)}  ${where}`);
  }
  console.log(`  ${'stack control'.padEnd(width)}  ${urls.control}/services`);
  console.log(`Logs: ${path.relative(repoRoot, logDir)}/<service>.log. Stop with Ctrl-C.`);
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const stack = new Stack(services, (line) => console.log(line));
  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) {
      console.log('Stopping already; a second Ctrl-C is ignored so nothing is left behind.');
      return;
    }
    stopping = true;
    console.log(`\n${why}: stopping the stack...`);
    await stack.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  try {
    await stack.start(() => void shutdown('shutdown requested'));
  } catch (error) {
    if (stopping) return;
    console.error(`\n${error instanceof StackError ? error.message : (error as Error).stack}`);
    process.exit(1);
  }
  printSummary(stack.status(), startedAt);
}

await main();
