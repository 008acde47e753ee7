/**
 * `npm run bench`: every benchmark, one after another (they would disturb each other's timings if run
 * together). Each prints its own table and writes bench/results/<name>.json. Not a test.
 */
import { spawnSync } from 'node:child_process';

const benches = ['face', 'http', 'search', 'captcha', 'edge'];
const failed: string[] = [];
for (const name of benches) {
  console.log(`\n=== npm run bench:${name}`);
  const run = spawnSync('npm', ['run', '--silent', `bench:${name}`], { stdio: 'inherit' });
  if (run.status !== 0) failed.push(name);
}
if (failed.length) {
  console.error(`\nbenchmarks that failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nAll results: bench/results/*.json');
