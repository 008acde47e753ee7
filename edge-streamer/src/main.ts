import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startStreamer } from './streamer.ts';

/** `npm run edge -- --config <file>` */
const USAGE = 'Usage: npm run edge -- --config <edge-config.json>';

let configFile: string | undefined;
try {
  configFile = parseArgs({ options: { config: { type: 'string', short: 'c' } } }).values.config;
} catch (e) {
  console.error(`${(e as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (!configFile) {
  console.error(USAGE);
  process.exit(2);
}

try {
  const config = await loadConfig(configFile);
  const log = createLogger(config.logLevel);
  const streamer = await startStreamer(config, log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    streamer.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (e) {
  console.error(
    e instanceof ConfigError ? e.message : `edge-streamer failed to start: ${(e as Error).message}`,
  );
  process.exit(e instanceof ConfigError ? 2 : 1);
}
