/**
 * The integration test world for one brand: the shared broker, a SOAR emulator over HTTPS, a
 * config file written the way an admin would write it, and helpers to run a worker in-process
 * or as a real `soar-clearing run` child process.
 */
import type { FunctionDefinition } from '../../src/worker/function.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClearingNetwork } from '../../src/clearing/network.js';
import { loadConfig } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { SoarClient } from '../../src/soar/client.js';
import type { Logger } from '../../src/core/types.js';
import { FunctionRegistry } from '../../src/worker/registry.js';
import { BrandWorker } from '../../src/worker/worker.js';
import { SoarEmulator } from '../../sim/emulator/server.js';
import { SoarInvoker } from '../../sim/emulator/invoker.js';
import { REPO_ROOT, sharedBroker, type SharedBrokerInfo } from './broker.js';
import type { NodeCert } from './certs.js';

export interface ConfigOptions {
  readonly soarPort: number;
  readonly stompPort: number;
  readonly stompTls?: boolean;
  readonly stompCafile?: string;
  readonly destination: string;
  readonly concurrency?: number;
  readonly shutdownGraceS?: number;
  readonly functionTimeoutS?: number;
  readonly heartbeatS?: number;
  /** worker.exit_after_broker_down_s, when given. */
  readonly exitAfterBrokerDownS?: number;
  /** SOAR org of the brand (the emulator has 'Test Organization' 201 and 'Test Organization 2' 202). */
  readonly org?: string;
  readonly brandId?: string;
  readonly nodeId?: string;
  /** Top-level YAML sections appended as they are (e.g. a `triage:` section). */
  readonly extraYaml?: string;
  /** Makes this a clearing node: its TLS identity, peer API port, peers and whitelist. */
  readonly network?: {
    readonly cert: NodeCert;
    readonly listenPort: number;
    readonly primary?: string;
    readonly peers: Readonly<Record<string, { readonly url: string; readonly brands: readonly string[] }>>;
    /** YAML lines of a `whitelist:` section body (indented by two spaces), if any. */
    readonly whitelistYaml?: string;
  };
}

/** Writes app.config.yaml for one brand into a fresh temp dir; returns its path. */
export function writeConfig(caFile: string, o: ConfigOptions): string {
  const dir = mkdtempSync(join(tmpdir(), 'sc-config-'));
  const path = join(dir, 'app.config.yaml');
  writeFileSync(path, `
node:
  id: ${o.nodeId ?? 'test-node'}
${o.network ? `  listen: { host: 127.0.0.1, port: ${o.network.listenPort} }
  tls: { cert: ${o.network.cert.cert}, key: ${o.network.cert.key}, ca: ${o.network.cert.ca} }
` : ''}brand_id: ${o.brandId ?? 'soar2'}
soar:
  host: 127.0.0.1
  port: ${o.soarPort}
  org: ${o.org ?? 'Test Organization'}
  api_key_id: test-key
  api_key_secret: \${TEST_SOAR_SECRET:-test-secret}
  cafile: ${caFile}
  retries: 2
  retry_backoff_s: 0.05
stomp:
  host: 127.0.0.1
  port: ${o.stompPort}
  tls: ${o.stompTls ? 'true' : 'false'}
${o.stompCafile ? `  cafile: ${o.stompCafile}\n` : ''}  reconnect_initial_s: 0.2
  reconnect_max_s: 1
  connect_timeout_s: 5
  heartbeat_s: ${o.heartbeatS ?? 15}
destinations: [${o.destination}]
worker:
  concurrency: ${o.concurrency ?? 10}
  shutdown_grace_s: ${o.shutdownGraceS ?? 5}
  function_timeout_s: ${o.functionTimeoutS ?? 0}
${o.exitAfterBrokerDownS !== undefined ? `  exit_after_broker_down_s: ${o.exitAfterBrokerDownS}\n` : ''}logging: { level: debug, format: text }
${o.network ? networkYaml(o.nodeId ?? 'test-node', o.network) : ''}${o.extraYaml ? `${o.extraYaml}\n` : ''}`);
  return path;
}

function networkYaml(nodeId: string, n: NonNullable<ConfigOptions['network']>): string {
  const peers = Object.entries(n.peers)
    .map(([id, p]) => `    ${id}: { url: "${p.url}", brands: [${p.brands.join(', ')}] }`)
    .join('\n');
  return `network:
  primary: ${n.primary ?? nodeId}
  peers:${peers ? `\n${peers}` : ' {}'}
${n.whitelistYaml ? `whitelist:\n${n.whitelistYaml}\n` : ''}`;
}

/** A unique destination per test, so leftovers on the shared broker never cross tests. */
export function uniqueDestination(prefix = 'fn_test'): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}


export { memoryLogger } from './loggers.js';

export class World {
  private constructor(readonly broker: SharedBrokerInfo, readonly soar: SoarEmulator) {}

  static async start(): Promise<World> {
    const broker = await sharedBroker();
    const soar = await SoarEmulator.start({ pki: broker.pki });
    return new World(broker, soar);
  }

  config(o: Omit<ConfigOptions, 'soarPort' | 'stompPort'> & { stompPort?: number }): AppConfig {
    return loadConfig({ path: this.configFile(o), env: {} });
  }

  configFile(o: Omit<ConfigOptions, 'soarPort' | 'stompPort'> & { stompPort?: number }): string {
    return writeConfig(this.broker.pki.caCert, {
      soarPort: this.soar.port,
      stompPort: o.stompPort ?? (o.stompTls ? this.broker.stompTlsPort! : this.broker.stompPort),
      ...o,
    });
  }

  /** An in-process worker for the config's single brand. */
  async worker(config: AppConfig, functions: readonly FunctionDefinition[], log: Logger): Promise<BrandWorker> {
    const brand = config.brands[0]!;
    const soar = await SoarClient.connect(brand.soar, { logger: log });
    const network = new ClearingNetwork(config, log);
    network.registerLocal(brand.id, soar);
    return new BrandWorker({ brand, worker: config.worker, registry: new FunctionRegistry(functions), soar, log, nodeId: config.node.id, network });
  }

  invoker(destination: string, stompPort = this.broker.stompPort): Promise<SoarInvoker> {
    return SoarInvoker.connect({ port: stompPort, orgId: this.soar.orgId, destination });
  }

  async stop(): Promise<void> {
    await this.soar.stop();
  }
}

/** Runs a soar-clearing command to completion; stdin is not a terminal (as in scripts and CI). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string }> {
  return runProgram(process.execPath, [join(REPO_ROOT, 'dist/bin/soar-clearing.js'), ...args], env);
}

/** Runs a program (an installed `soar-clearing`, say) to completion, stdin closed, its output kept. */
export function runProgram(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/**
 * `soar-clearing run` as a child process, its output kept (with `keepOutput: false` only until
 * it subscribed: long runs); `ready` resolves once it subscribed. With `logFile`, the output goes
 * to that file instead of a pipe to this process (benchmarks: the load generator must not wake
 * up for every line the worker logs; `output` stays empty).
 */
export class WorkerProcess {
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;
  readonly ready: Promise<void>;

  constructor(configPath: string, opts: { readonly keepOutput?: boolean; readonly env?: NodeJS.ProcessEnv; readonly logFile?: string } = {}) {
    let subscribed = false;
    const fd = opts.logFile ? openSync(opts.logFile, 'w') : null;
    const child: ChildProcess = spawn(process.execPath, [join(REPO_ROOT, 'dist/bin/soar-clearing.js'), 'run', '--config', configPath], {
      stdio: ['ignore', fd ?? 'pipe', fd ?? 'pipe'],
      env: { ...process.env, ...opts.env },
    });
    if (fd !== null) closeSync(fd);
    this.child = child;
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    this.ready = new Promise((resolve, reject) => {
      const logFile = opts.logFile;
      if (logFile) {
        const poll = setInterval(() => {
          if (!/subscribed to /.test(readFileSync(logFile, 'utf8'))) return;
          clearInterval(poll);
          resolve();
        }, 50);
        void this.exited.then((code) => {
          clearInterval(poll);
          reject(new Error(`worker exited (${code}) before subscribing:\n${readFileSync(logFile, 'utf8')}`));
        });
        return;
      }
      const onData = (c: Buffer): void => {
        const text = c.toString();
        if (process.env.SC_TEST_VERBOSE) process.stderr.write(text);
        if (subscribed && opts.keepOutput === false) return;
        this.output.push(...text.split('\n').filter(Boolean));
        for (const w of this.waiters) if (w.pattern.test(text)) w.resolve();
        if (/subscribed to /.test(text)) {
          subscribed = true;
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void this.exited.then((code) => reject(new Error(`worker exited (${code}) before subscribing:\n${this.output.join('\n')}`)));
    });
  }

  private readonly child: ChildProcess;
  private readonly waiters: { readonly pattern: RegExp; readonly resolve: () => void }[] = [];

  /** Resolves once a line of output (kept output: before or after the call) matches `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    if (this.output.some((line) => pattern.test(line))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output line matching ${pattern} within ${timeoutMs} ms:\n${this.output.slice(-20).join('\n')}`)), timeoutMs);
      this.waiters.push({ pattern, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }
}
