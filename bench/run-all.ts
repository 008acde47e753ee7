/**
 * `npm run bench`: every benchmark, one after another (they would disturb each other's timings if run
 * together). Each prints its own table and writes bench/results/<name>.json. Not a test.
 * bench:http starts its own full stack; bench:search needs only the emulators, started here.
 */
import { spawnSync } from 'node:child_process';

process.env.FACEGATE_DATA_DIR ||= '.data/bench';
const { services } = await import('../scripts/stack/services.ts');
const { Stack } = await import('../scripts/stack/supervisor.ts');

const run = (name: string) => {
  console.log(`\n=== npm run bench:${name}`);
  return spawnSync('npm', ['run', '--silent', `bench:${name}`], { stdio: 'inherit' }).status === 0;
};

const failed = ['face', 'calibration', 'pad', 'liveness', 'http', 'captcha', 'edge'].filter(
  (name) => !run(name),
);
const emulators = new Stack(
  services.filter((s) => ['redis', 'redis-rest', 's3', 'dynamodb'].includes(s.name)),
  () => {},
);
await emulators.start(() => process.exit(1), { fresh: true });
if (!run('search')) failed.push('search');
await emulators.stop();

if (failed.length) {
  console.error(`\nbenchmarks that failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nAll results: bench/results/*.json');
