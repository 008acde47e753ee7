import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import type { Server } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { serveControl } from './control-server.ts';
import { logDir, pidDir, ports, repoRoot, skippedByEnv, urls } from './env.ts';
import type { ServiceDefinition, ServiceName } from './services.ts';

/**
 * Runs the stack's services as child processes, each in its own process group (detached) so that
 * stopping a service also stops whatever it spawned, and a Ctrl-C aimed at the terminal's foreground
 * group reaches only us: we stop the children in reverse start order and leave nothing behind.
 */

export type ServiceState = 'starting' | 'running' | 'stopped' | 'exited' | 'skipped';

export interface ServiceStatus {
  name: ServiceName;
  label: string;
  address: string;
  state: ServiceState;
  pid?: number;
  /** Why it was skipped or how it exited. */
  detail?: string;
  log: string;
}

export class StackError extends Error {}

interface Child {
  process: ChildProcess;
  exited: Promise<void>;
  hasExited: boolean;
  stopRequested: boolean;
}

/** Written while a child runs, so `npm run stack -- stop` can find it if its supervisor was killed. */
interface PidFile {
  pid: number;
  /** /proc start time: tells our process from a later one that reused the pid. */
  startTime: string;
}

export function logFile(name: string): string {
  return path.join(logDir, `${name}.log`);
}

export function logTail(name: string, lines = 30): string {
  try {
    return readFileSync(logFile(name), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function processStartTime(pid: number): string | undefined {
  try {
    // Fields after the parenthesised command name; starttime is field 22 of /proc/<pid>/stat.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the whole group is already gone.
  }
}

/** Process groups recorded in pid files whose leader is still the process we started. */
export function leftoverProcesses(): { name: string; pid: number }[] {
  let files: string[];
  try {
    files = readdirSync(pidDir).filter((file) => file.endsWith('.pid'));
  } catch {
    return [];
  }
  return files.flatMap((file) => {
    const pidPath = path.join(pidDir, file);
    const { pid, startTime } = JSON.parse(readFileSync(pidPath, 'utf8')) as PidFile;
    if (processStartTime(pid) === startTime) return [{ name: path.basename(file, '.pid'), pid }];
    rmSync(pidPath, { force: true });
    return [];
  });
}

export function killLeftovers(): { name: string; pid: number }[] {
  const leftovers = leftoverProcesses();
  for (const { name, pid } of leftovers) {
    signalGroup(pid, 'SIGKILL');
    rmSync(path.join(pidDir, `${name}.pid`), { force: true });
  }
  return leftovers;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

const stopGraceMs = 5000;

function skipReason(service: ServiceDefinition): string | undefined {
  return skippedByEnv(service.name) ? 'FACEGATE_SKIP' : service.unavailable?.();
}

export class Stack {
  readonly #services: ServiceDefinition[];
  readonly #report: (line: string) => void;
  readonly #children = new Map<ServiceName, Child>();
  readonly #states = new Map<ServiceName, { state: ServiceState; detail?: string }>();
  #control: Server | undefined;
  /** Set once the stack is stopping: nothing starts any more. */
  #stopped: Promise<void> | undefined;

  constructor(services: ServiceDefinition[], report: (line: string) => void) {
    this.#services = services;
    this.#report = report;
    // Last resort if we crash or call process.exit with children still running.
    process.on('exit', () => {
      for (const child of this.#children.values()) {
        if (child.process.pid !== undefined) signalGroup(child.process.pid, 'SIGKILL');
      }
    });
  }

  /**
   * Starts every available service, each once its dependencies are ready; independent ones in parallel.
   * `onShutdownRequest` runs when someone asks the control endpoint to shut the stack down.
   * `fresh` empties the services' storage first, so every run starts from the same state.
   */
  async start(onShutdownRequest: () => void, { fresh = false } = {}): Promise<void> {
    mkdirSync(logDir, { recursive: true });
    mkdirSync(pidDir, { recursive: true });
    await this.#checkNothingRuns();
    for (const { storage } of this.#services) {
      if (storage && fresh) rmSync(storage, { recursive: true, force: true });
      if (storage) mkdirSync(storage, { recursive: true });
    }
    this.#control = await serveControl(this, onShutdownRequest);

    const ready = new Map<ServiceName, Promise<void>>();
    for (const service of this.#services) {
      const skippedDependency = service.dependsOn.find((name) => this.#states.get(name)?.state === 'skipped');
      const reason = skipReason(service) ?? (skippedDependency && `needs ${skippedDependency}`);
      if (reason) {
        this.#states.set(service.name, { state: 'skipped', detail: reason });
        this.#report(`- ${service.name}: skipped (${reason})`);
        continue;
      }
      const dependencies = service.dependsOn.map((name) => ready.get(name));
      ready.set(
        service.name,
        Promise.all(dependencies).then(() => this.#launch(service, 'w')),
      );
    }
    const results = await Promise.allSettled(ready.values());
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) {
      await this.stop();
      throw failure.reason;
    }
  }

  /** Stops every service, dependents first. Repeated and concurrent calls share the one shutdown. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      for (const service of [...this.#services].reverse()) await this.#terminate(service.name);
      await new Promise((resolve) => (this.#control ? this.#control.close(resolve) : resolve(undefined)));
    })();
    return this.#stopped;
  }

  /** Stops one service, e.g. for a test of how the API behaves while a dependency is down. */
  async stopService(name: ServiceName): Promise<void> {
    await this.#terminate(this.#definition(name).name);
  }

  /** (Re)starts one stopped service and waits until it is ready. */
  async startService(name: ServiceName): Promise<void> {
    const service = this.#definition(name);
    if (this.#states.get(name)?.state === 'skipped') {
      throw new StackError(`${name} is not part of this stack (${this.#states.get(name)?.detail})`);
    }
    if (this.#children.has(name)) return;
    await this.#launch(service, 'a');
  }

  status(): ServiceStatus[] {
    return this.#services.map((service) => ({
      name: service.name,
      label: service.label,
      address: service.address,
      state: this.#states.get(service.name)?.state ?? 'stopped',
      pid: this.#children.get(service.name)?.process.pid,
      detail: this.#states.get(service.name)?.detail,
      log: logFile(service.name),
    }));
  }

  #definition(name: ServiceName): ServiceDefinition {
    const service = this.#services.find((candidate) => candidate.name === name);
    if (!service) throw new StackError(`unknown service "${name}"`);
    return service;
  }

  /** Fails clearly when a stack (or anything else) already holds our ports. */
  async #checkNothingRuns(): Promise<void> {
    const running = await fetch(`${urls.control}/services`, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (running) {
      throw new StackError(
        `A facegate stack is already running (control endpoint ${urls.control}). ` +
          'Stop it with Ctrl-C in its terminal or `npm run stack -- stop`.',
      );
    }
    const wanted = [
      { name: 'control', port: ports.control },
      ...this.#services
        .filter((service) => !skipReason(service))
        .flatMap((service) => service.ports.map((port) => ({ name: service.name, port }))),
    ];
    const busy = [];
    for (const entry of wanted) if (!(await portIsFree(entry.port))) busy.push(entry);
    if (busy.length === 0) return;
    const taken = busy.map(({ name, port }) => `${port} (${name})`).join(', ');
    const leftovers = leftoverProcesses().map(({ name, pid }) => `${name} pid ${pid}`);
    const dataDirSetting = process.env.FACEGATE_DATA_DIR
      ? `FACEGATE_DATA_DIR=${process.env.FACEGATE_DATA_DIR} `
      : '';
    const hint = leftovers.length
      ? `Processes an earlier stack left behind still run (${leftovers.join(', ')}): ` +
        `\`${dataDirSetting}npm run stack -- stop\` ends them.`
      : 'Stop whatever listens there, or move the stack with FACEGATE_*_PORT variables (scripts/stack/env.ts).';
    throw new StackError(`Port(s) already in use: ${taken}. ${hint}`);
  }

  async #launch(service: ServiceDefinition, logMode: 'w' | 'a'): Promise<void> {
    if (this.#stopped) throw new StackError('the stack is stopping');
    const startedAt = Date.now();
    const { file, args, env } = service.command();
    const log = openSync(logFile(service.name), logMode);
    writeSync(log, `--- ${new Date().toISOString()} ${file} ${args.join(' ')}\n`);
    const logStart = fstatSync(log).size;
    const spawned = spawn(file, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);

    const child: Child = {
      process: spawned,
      hasExited: false,
      stopRequested: false,
      exited: Promise.resolve(),
    };
    child.exited = new Promise((resolve) => {
      const onEnd = (detail: string) => {
        if (child.hasExited) return;
        child.hasExited = true;
        rmSync(path.join(pidDir, `${service.name}.pid`), { force: true });
        const wasRunning = this.#states.get(service.name)?.state === 'running';
        this.#states.set(service.name, { state: child.stopRequested ? 'stopped' : 'exited', detail });
        if (this.#children.get(service.name) === child) this.#children.delete(service.name);
        if (wasRunning && !child.stopRequested) {
          this.#report(`! ${service.name} ${detail}; see ${logFile(service.name)}`);
        }
        resolve();
      };
      spawned.once('exit', (code, signal) => onEnd(`exited (${signal ?? `code ${code}`})`));
      spawned.once('error', (error) => onEnd(`could not start: ${error.message}`));
    });
    this.#children.set(service.name, child);
    this.#states.set(service.name, { state: 'starting' });
    if (spawned.pid !== undefined) {
      const pidFile: PidFile = { pid: spawned.pid, startTime: processStartTime(spawned.pid) ?? '' };
      writeFileSync(path.join(pidDir, `${service.name}.pid`), JSON.stringify(pidFile));
    }

    try {
      await this.#waitUntilReady(service, child, startedAt, logStart);
      await service.setup?.();
    } catch (error) {
      await this.#terminate(service.name);
      throw error;
    }
    this.#states.set(service.name, { state: 'running' });
    this.#report(`+ ${service.name} ready (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
  }

  async #waitUntilReady(service: ServiceDefinition, child: Child, startedAt: number, logStart: number) {
    const deadline = startedAt + (service.readyTimeoutMs ?? 30_000);
    const problem = () => {
      if (child.hasExited || this.#stopped) {
        return `${this.#states.get(service.name)?.detail ?? 'was stopped'} before it was ready`;
      }
      const log = service.fatalLogLine && readFileSync(logFile(service.name)).subarray(logStart).toString();
      if (log && service.fatalLogLine?.test(log)) return 'failed to start';
      if (Date.now() > deadline)
        return `was not ready after ${Math.round((Date.now() - startedAt) / 1000)} s`;
      return undefined;
    };
    while (!(await service.isReady())) {
      const found = problem();
      if (found) {
        throw new StackError(
          `${service.name} ${found}. Last lines of ${logFile(service.name)}:\n${logTail(service.name)}`,
        );
      }
      await sleep(200);
    }
  }

  async #terminate(name: ServiceName): Promise<void> {
    const child = this.#children.get(name);
    const pid = child?.process.pid;
    if (!child || pid === undefined) return;
    child.stopRequested = true;
    if (!child.hasExited) {
      signalGroup(pid, 'SIGTERM');
      const escalation = setTimeout(() => signalGroup(pid, 'SIGKILL'), stopGraceMs);
      await child.exited;
      clearTimeout(escalation);
    }
    // Whatever the service spawned may outlive it; the group id still reaches those processes.
    signalGroup(pid, 'SIGKILL');
  }
}
