import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * `npm test [-- <filters>]`: checks the system packages, starts the local stack, runs every
 * `*.test.ts` outside node_modules (or those whose path contains one of the filters) with node's test
 * runner, stops the stack and exits with the runner's status.
 *
 * `npm run test:unit` (`--unit`): only the unit tier, in seconds and without the stack: the colocated
 * tests beside the code, except `*.stack.test.ts` (colocated tests that need the stack's services).
 *
 * Files named `*.serial.test.ts` stop shared services (e.g. redis, for the health test), so they run
 * after the others, one at a time, instead of two files at once.
 */

// The tests get their own data directory, emptied per run: they neither see nor destroy `npm start` data.
process.env.FACEGATE_DATA_DIR ||= '.data/test';
const { apiEnv, logDir, repoRoot, urls } = await import('./stack/env.ts');
const { services } = await import('./stack/services.ts');
const { Stack, StackError, logTail } = await import('./stack/supervisor.ts');

const skippedDirectories = new Set(['node_modules', 'dist', 'test-artifacts']);
const summaryFields = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'] as const;

function findTestFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) {
        // Dot-directories hold tooling output (.git, .data, .serverless, .esbuild), never our tests.
        return entry.name.startsWith('.') || skippedDirectories.has(entry.name) ? [] : findTestFiles(full);
      }
      return entry.name.endsWith('.test.ts') ? [path.relative(repoRoot, full)] : [];
    })
    .sort();
}

function selectFiles(filters: string[]): string[] {
  const all = findTestFiles(repoRoot);
  if (filters.length === 0) return all;
  const wanted = filters.map((filter) => path.relative(repoRoot, path.resolve(filter)) || filter);
  for (const filter of wanted) {
    if (!all.some((file) => file.includes(filter))) throw new Error(`No test file matches "${filter}".`);
  }
  return all.filter((file) => wanted.some((filter) => file.includes(filter)));
}

/** The closing `# pass N` style counters of one TAP report. */
function tapSummary(tapFile: string): Map<string, number> {
  const counts = new Map<string, number>();
  const report = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : ''; // absent if the runner crashed
  for (const line of report.split('\n')) {
    const match = /^# (\w+) (\d+)$/.exec(line);
    if (match && (summaryFields as readonly string[]).includes(match[1]!))
      counts.set(match[1]!, Number(match[2]));
  }
  return counts;
}

let runner: ReturnType<typeof spawn> | undefined;

const isUnitTest = (file: string) =>
  !file.startsWith(`tests${path.sep}`) && !/\.(stack|serial)\.test\.ts$/.test(file);

/** One run of node's test runner; a TAP copy of its report goes to a file for the combined summary. */
function runNodeTests(files: string[], concurrency: number, tapFile: string): Promise<number> {
  const reporter = process.stdout.isTTY ? 'spec' : 'tap'; // node's own default
  const args = [
    '--import',
    'tsx',
    // Every response of the local API is checked against openapi/openapi.json (tests/support/contract.ts).
    '--import',
    pathToFileURL(path.join(repoRoot, 'tests', 'support', 'contract-preload.ts')).href,
    '--test',
    `--test-concurrency=${concurrency}`,
    // A hang guard, not a speed check: a stuck request would otherwise hold CI forever.
    `--test-timeout=${process.env.FACEGATE_TEST_TIMEOUT_MS ?? 300_000}`,
    `--test-reporter=${reporter}`,
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files,
  ];
  return new Promise((resolve) => {
    runner = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, ...apiEnv },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    runner.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function waitForHealth(interrupted: () => boolean): Promise<void> {
  const deadline = Date.now() + 90_000;
  let last = '';
  while (Date.now() < deadline && !interrupted()) {
    try {
      const response = await fetch(`${urls.api}/health`, { signal: AbortSignal.timeout(60_000) });
      last = `${response.status} ${await response.text()}`;
      if (response.status === 200 || response.status === 404) break;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  console.log(`GET /v1/health -> ${last}`);
  if (last.startsWith('404')) console.log('(no health function yet: the tests run anyway)');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--unit')) {
    const unit = selectFiles(args.filter((arg) => arg !== '--unit')).filter(isUnitTest);
    mkdirSync(logDir, { recursive: true });
    return runNodeTests(unit, 2, path.join(logDir, 'unit-tests.tap'));
  }
  const files = selectFiles(args);
  const serial = files.filter((file) => file.endsWith('.serial.test.ts'));
  const parallel = files.filter((file) => !serial.includes(file));

  const deps = spawnSync('bash', [path.join(repoRoot, 'scripts', 'ensure-system-deps.sh')], {
    stdio: 'inherit',
  });
  if (deps.status !== 0) return deps.status ?? 1;

  // The local Prometheus judges error rates over 30 s instead of 5 minutes, so that a test sees an alert
  // fire and resolve (tests/ops/prometheus-alert.serial.test.ts; scripts/stack/monitoring-config.ts).
  process.env.FACEGATE_ALERT_WINDOW ??= '30s';
  const stack = new Stack(services, (line) => console.log(line));
  let interrupted = false;
  const interrupt = (why: string) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${why}: stopping the tests and the stack.`);
    runner?.kill('SIGTERM');
    void stack.stop();
  };
  process.on('SIGINT', () => interrupt('SIGINT'));
  process.on('SIGTERM', () => interrupt('SIGTERM'));

  try {
    await stack.start(() => interrupt('stack shutdown requested'), { fresh: true });
  } catch (error) {
    if (interrupted) return 130;
    console.error(error instanceof StackError ? error.message : error);
    return 1;
  }
  const api = stack.status().find((service) => service.name === 'api');
  if (api?.state === 'running') await waitForHealth(() => interrupted);
  else console.log(`API not started (${api?.detail}): tests that need it will fail.`);

  const phases = [
    { files: parallel, concurrency: 2 },
    { files: serial, concurrency: 1 },
  ].filter((phase) => phase.files.length > 0);
  let exitCode = 0;
  const tapFiles: string[] = [];
  for (const [index, phase] of phases.entries()) {
    if (interrupted) break;
    if (phases.length > 1)
      console.log(`\n# ${index === 0 ? 'files run in parallel' : 'files run one at a time'}`);
    const tapFile = path.join(logDir, `tests-${index + 1}.tap`);
    tapFiles.push(tapFile);
    const phaseExitCode = await runNodeTests(phase.files, phase.concurrency, tapFile);
    exitCode ||= phaseExitCode;
  }
  await stack.stop();
  if (interrupted) return 130;

  if (exitCode !== 0) {
    for (const service of stack.status().filter((candidate) => candidate.state !== 'skipped')) {
      console.log(`\n--- last lines of ${service.log}\n${logTail(service.name, 20)}`);
    }
  }
  if (exitCode !== 0 || phases.length > 1) {
    // Keep the totals the last thing on screen, after any logs, and summed over both phases.
    const totals = tapFiles.map(tapSummary);
    console.log(`\n# all ${files.length} test files`);
    for (const field of summaryFields) {
      console.log(`# ${field} ${totals.reduce((sum, counts) => sum + (counts.get(field) ?? 0), 0)}`);
    }
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
