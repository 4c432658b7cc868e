/**
 * A private Apache ActiveMQ 5.x broker for tests and `npm run demo` (Debian's `activemq`
 * package, the same family SOAR embeds). Each instance lives in its own directory (config,
 * KahaDB, logs), listens on loopback only, with a STOMP connector and optionally a STOMP+TLS
 * connector, and nothing else.
 *
 * The JVM is killed when the Node process that started it exits: by a process 'exit' hook, and
 * on Linux also by the kernel (`setpriv --pdeathsig KILL`), so a test process that is itself
 * SIGKILLed does not leave a broker behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { sleep } from '../../src/core/backoff.js';
import { escapeHtml } from '../../src/core/escape-html.js';
import { processAlive } from '../../src/core/process-alive.js';
import { repoRoot } from '../emulator/samples.js';
import { makeTestPki, type TestPki } from './pki.js';

/** Repository (package) root: the nearest directory above this file holding package.json. */
export const REPO_ROOT = repoRoot();

/** Where Debian's package puts ActiveMQ; SC_ACTIVEMQ_HOME overrides. */
export const ACTIVEMQ_HOME = process.env.SC_ACTIVEMQ_HOME ?? '/usr/share/activemq';
export const ACTIVEMQ_JAR = join(ACTIVEMQ_HOME, 'bin', 'activemq.jar');

const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;
const MARKER = '.sc-test-broker';

export interface BrokerTlsOptions {
  /** PKCS#12 keystore with the server key and certificate. */
  keystore: string;
  /** PKCS#12 truststore (ActiveMQ's sslContext wants one even without client auth). */
  truststore: string;
  /** Password of both stores. */
  password: string;
  /** 0/undefined = pick a free loopback port. */
  port?: number;
}

export interface BrokerOptions {
  /** Instance name: [A-Za-z0-9._-]+; also the default directory name. */
  name: string;
  /** Default `<repo>/.broker/<name>`. Wiped at start (refused if it is not a broker directory). */
  dir?: string;
  /** 0/undefined = pick a free loopback port. */
  stompPort?: number;
  tls?: BrokerTlsOptions;
  /** JVM heap (-Xmx), default 256. */
  heapMb?: number;
  /**
   * Limit the JIT to C1 (-XX:TieredStopAtLevel=1): starts ~20 % faster, runs hot paths slower.
   * Default true; pass false for a broker used in benchmarks.
   */
  quickJit?: boolean;
}

export interface SharedBrokerInfo {
  readonly stompPort: number;
  readonly stompTlsPort: number;
  /** The PKI whose server certificate the TLS port presents (trust `pki.caCert`). */
  readonly pki: TestPki;
  /** No-op when the broker belongs to scripts/run-tests.mjs. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Process bookkeeping: every live child is SIGKILLed when this process exits.

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

let setprivPath: string | null | undefined;
function setpriv(): string | null {
  if (setprivPath === undefined) {
    setprivPath = process.platform === 'linux'
      ? (['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null)
      : null;
  }
  return setprivPath;
}

function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  if (home && existsSync(join(home, 'bin', 'java'))) return join(home, 'bin', 'java');
  return 'java';
}

// ---------------------------------------------------------------------------------------------
// Ports

/**
 * Ports handed to servers that start later are drawn below Linux's ephemeral range
 * (32768-60999): a port from that range can be taken meanwhile by any outgoing connection on the
 * machine (seen: EADDRINUSE for a peer API port while the fault tests were busy connecting).
 */
const PORT_RANGE = { low: 20_000, high: 32_767 } as const;

function listenOn(port: number): Promise<Server | null> {
  return new Promise((res) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => res(null));
    srv.listen(port, '127.0.0.1', () => res(srv));
  });
}

/** A server bound to a free port of PORT_RANGE, tried at random. */
async function listenFree(): Promise<Server> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = PORT_RANGE.low + Math.floor(Math.random() * (PORT_RANGE.high - PORT_RANGE.low + 1));
    const srv = await listenOn(port);
    if (srv) return srv;
  }
  throw new Error(`no free port between ${PORT_RANGE.low} and ${PORT_RANGE.high} after 200 tries`);
}

/** `n` distinct free loopback ports (held open together while choosing, so they differ). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) servers.push(await listenFree());
    return servers.map((s) => {
      const addr = s.address();
      if (addr === null || typeof addr === 'string') throw new Error('no port');
      return addr.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

export async function freePort(): Promise<number> {
  const [p] = await freePorts(1);
  return p!;
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((res) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      sock.removeAllListeners();
      sock.on('error', () => undefined);
      sock.destroy();
      res(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

// ---------------------------------------------------------------------------------------------
// Configuration files

/** A quoted XML attribute value: the web UI's HTML escaping (numeric references for ' and `) is valid XML. */
const xmlAttr = escapeHtml;

function activemqXml(name: string, dir: string, stompPort: number, tls: BrokerTlsOptions | undefined,
  tlsPort: number | null): string {
  const data = join(dir, 'data');
  const connectors = [
    `      <transportConnector name="stomp" uri="stomp://127.0.0.1:${stompPort}?transport.tcpNoDelay=true"/>`,
  ];
  let sslContext = '';
  if (tls && tlsPort !== null) {
    connectors.push(
      `      <transportConnector name="stomp+ssl" uri="stomp+ssl://127.0.0.1:${tlsPort}`
      + '?transport.tcpNoDelay=true&amp;needClientAuth=false"/>',
    );
    sslContext = `
    <sslContext>
      <sslContext keyStore="${xmlAttr(resolve(tls.keystore))}" keyStorePassword="${xmlAttr(tls.password)}"
                  keyStoreType="PKCS12"
                  trustStore="${xmlAttr(resolve(tls.truststore))}" trustStorePassword="${xmlAttr(tls.password)}"
                  trustStoreType="PKCS12"/>
    </sslContext>
`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by sim/testbed/broker.ts for test broker "${xmlAttr(name)}". Do not edit: rewritten at start. -->
<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
                           http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core"
          brokerName="${xmlAttr(name.replace(/[^A-Za-z0-9_-]/g, '_'))}"
          persistent="true" useJmx="false" schedulerSupport="false" advisorySupport="false"
          useShutdownHook="true" dataDirectory="${xmlAttr(data)}" tmpDataDirectory="${xmlAttr(join(data, 'tmp_storage'))}">
    <managementContext>
      <managementContext createConnector="false"/>
    </managementContext>
    <persistenceAdapter>
      <kahaDB directory="${xmlAttr(join(data, 'kahadb'))}"/>
    </persistenceAdapter>
    <systemUsage>
      <systemUsage>
        <memoryUsage><memoryUsage percentOfJvmHeap="70"/></memoryUsage>
        <storeUsage><storeUsage limit="2 gb"/></storeUsage>
        <tempUsage><tempUsage limit="1 gb"/></tempUsage>
      </systemUsage>
    </systemUsage>
${sslContext}    <transportConnectors>
${connectors.join('\n')}
    </transportConnectors>
  </broker>
</beans>
`;
}

/** Debian's build logs through slf4j-log4j12 (log4j 1.2); upstream tarballs use log4j2. Both go to the file. */
function log4jProperties(logFile: string): string {
  return `# Generated by sim/testbed/broker.ts
log4j.rootLogger=INFO, logfile
log4j.logger.org.springframework=WARN
log4j.logger.org.apache.xbean=WARN
log4j.logger.org.apache.activemq.spring=WARN
log4j.appender.logfile=org.apache.log4j.FileAppender
log4j.appender.logfile.File=${logFile}
log4j.appender.logfile.Append=true
log4j.appender.logfile.ImmediateFlush=true
log4j.appender.logfile.layout=org.apache.log4j.PatternLayout
log4j.appender.logfile.layout.ConversionPattern=%d | %-5p | %m | %c | %t%n
`;
}

function log4j2Properties(logFile: string): string {
  return `# Generated by sim/testbed/broker.ts
rootLogger.level=INFO
rootLogger.appenderRef.logfile.ref=File
logger.spring.name=org.springframework
logger.spring.level=WARN
logger.xbean.name=org.apache.xbean
logger.xbean.level=WARN
appender.logfile.type=File
appender.logfile.name=File
appender.logfile.fileName=${logFile}
appender.logfile.append=true
appender.logfile.layout.type=PatternLayout
appender.logfile.layout.pattern=%d | %-5p | %m | %c | %t%n%throwable{full}
`;
}

function tailOf(file: string, lines: number): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '(no file)';
  }
}

function readFrom(file: string, offset: number): string {
  try {
    const buf = readFileSync(file);
    return buf.subarray(Math.min(offset, buf.length)).toString('utf8');
  } catch {
    return '';
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

class PortInUseError extends Error {}
/** The broker directory belongs to a broker that is running right now. */
export class BrokerDirInUseError extends Error {}

// ---------------------------------------------------------------------------------------------

export class Broker {
  readonly name: string;
  readonly dir: string;
  /** log4j output of the broker (appended across restarts). */
  readonly logFile: string;
  /** stdout/stderr of the JVM (launcher banner, fatal errors). */
  readonly consoleFile: string;
  readonly stompPort: number;
  readonly stompTlsPort: number | null;
  /** Seconds the last (re)start took until the ports accepted connections. */
  lastStartSeconds = 0;

  private readonly tls: BrokerTlsOptions | undefined;
  private readonly heapMb: number;
  private readonly quickJit: boolean;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  private constructor(opts: BrokerOptions, dir: string, stompPort: number, tlsPort: number | null) {
    this.name = opts.name;
    this.dir = dir;
    this.logFile = join(dir, 'activemq.log');
    this.consoleFile = join(dir, 'console.log');
    this.stompPort = stompPort;
    this.stompTlsPort = tlsPort;
    this.tls = opts.tls;
    this.heapMb = opts.heapMb ?? 256;
    this.quickJit = opts.quickJit ?? true;
  }

  /** Process id of the running JVM (changes on restart); -1 when stopped. */
  get pid(): number {
    return this.child?.pid ?? -1;
  }

  get running(): boolean {
    return this.child !== null;
  }

  static async start(opts: BrokerOptions): Promise<Broker> {
    if (!/^[A-Za-z0-9._-]+$/.test(opts.name) || opts.name === 'pki' || opts.name.startsWith('.')) {
      throw new Error(`Broker name ${JSON.stringify(opts.name)} is not allowed (use [A-Za-z0-9._-], not "pki")`);
    }
    if (!existsSync(ACTIVEMQ_JAR)) {
      throw new Error(`ActiveMQ is not installed (${ACTIVEMQ_JAR} missing): run \`bash scripts/activemq.sh install\``);
    }
    let dir = resolve(opts.dir ?? join(REPO_ROOT, '.broker', opts.name));
    const autoPorts = !opts.stompPort || (opts.tls !== undefined && !opts.tls.port);
    for (let attempt = 1; ; attempt++) {
      try {
        prepareDir(dir);
      } catch (err) {
        // Another test run in this checkout uses .broker/<name> right now: take a directory of
        // our own instead, and remove it when this process exits.
        if (!(err instanceof BrokerDirInUseError) || opts.dir !== undefined || attempt > 1) throw err;
        dir = join(REPO_ROOT, '.broker', `${opts.name}-${process.pid}`);
        prepareDir(dir);
        removeOnExit(dir);
      }
      const wanted = [opts.stompPort || 0, opts.tls ? (opts.tls.port || 0) : -1];
      const fresh = await freePorts(wanted.filter((p) => p === 0).length);
      const pick = (p: number): number => (p === 0 ? fresh.shift()! : p);
      const stompPort = pick(wanted[0]!);
      const tlsPort = wanted[1] === -1 ? null : pick(wanted[1]!);
      const broker = new Broker(opts, dir, stompPort, tlsPort);
      broker.writeConfig();
      try {
        await broker.launch();
        return broker;
      } catch (err) {
        if (err instanceof PortInUseError && autoPorts && attempt < 4) continue;
        throw err;
      }
    }
  }

  private writeConfig(): void {
    const conf = join(this.dir, 'conf');
    writeFileSync(join(conf, 'activemq.xml'),
      activemqXml(this.name, this.dir, this.stompPort, this.tls, this.stompTlsPort));
    writeFileSync(join(conf, 'log4j.properties'), log4jProperties(this.logFile));
    writeFileSync(join(conf, 'log4j2.properties'), log4j2Properties(this.logFile));
  }

  private async launch(): Promise<void> {
    const started = Date.now();
    const conf = join(this.dir, 'conf');
    const data = join(this.dir, 'data');
    const tmp = join(this.dir, 'tmp');
    mkdirSync(data, { recursive: true });
    mkdirSync(tmp, { recursive: true });
    const logOffset = sizeOf(this.logFile);
    const consoleOffset = sizeOf(this.consoleFile);

    const javaArgs = [
      `-Xmx${this.heapMb}m`,
      '-XX:+UseSerialGC',
      ...(this.quickJit ? ['-XX:TieredStopAtLevel=1'] : []),
      '-Xshare:auto',
      '-XX:-UsePerfData',
      '-Djava.awt.headless=true',
      `-Dactivemq.home=${ACTIVEMQ_HOME}`,
      `-Dactivemq.base=${this.dir}`,
      `-Dactivemq.conf=${conf}`,
      `-Dactivemq.data=${data}`,
      `-Djava.io.tmpdir=${tmp}`,
      `-Dlog4j.configuration=file:${join(conf, 'log4j.properties')}`,
      `-Dlog4j2.configurationFile=${join(conf, 'log4j2.properties')}`,
      '-jar', ACTIVEMQ_JAR,
      'start', `xbean:file:${join(conf, 'activemq.xml')}`,
    ];
    const sp = setpriv();
    const [cmd, args] = sp
      ? [sp, ['--pdeathsig', 'KILL', javaBinary(), ...javaArgs]]
      : [javaBinary(), javaArgs];

    const out = openSync(this.consoleFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { cwd: this.dir, stdio: ['ignore', out, out], detached: false });
    } finally {
      closeSync(out);
    }
    installExitHook();
    live.add(child);
    child.unref();
    this.child = child;
    let exitInfo: string | null = null;
    let spawnError: Error | null = null;
    this.exited = new Promise<void>((res) => {
      child.once('error', (err) => {
        spawnError = err;
        exitInfo = `spawn failed: ${err.message}`;
        live.delete(child);
        if (this.child === child) this.child = null;
        res();
      });
      child.once('exit', (code, signal) => {
        exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
        live.delete(child);
        if (this.child === child) this.child = null;
        res();
      });
    });
    if (child.pid !== undefined) writeFileSync(join(this.dir, 'broker.pid'), `${child.pid}\n`);

    // Ready = the log says the broker started (so every connector is bound by *this* process,
    // not by some other one holding the port) and the plain STOMP port accepts a connection.
    // The TLS port is not probed: a bare TCP probe makes ActiveMQ log a handshake warning.
    const ports = [this.stompPort, ...(this.stompTlsPort !== null ? [this.stompTlsPort] : [])];
    const deadline = started + START_TIMEOUT_MS;
    const startedLine = /Apache ActiveMQ \S+ \([^)]*\) started/;
    for (;;) {
      if (exitInfo !== null) {
        const text = readFrom(this.logFile, logOffset) + readFrom(this.consoleFile, consoleOffset);
        const msg = `ActiveMQ test broker "${this.name}" ${exitInfo} during startup`
          + (spawnError ? ` (is java installed? JAVA_HOME=${process.env.JAVA_HOME ?? ''})` : '')
          + `\n--- ${this.logFile} (tail) ---\n${tailOf(this.logFile, 30)}`
          + `\n--- ${this.consoleFile} (tail) ---\n${tailOf(this.consoleFile, 15)}`;
        if (/Address already in use/.test(text)) {
          throw new PortInUseError(`A port of 127.0.0.1:${ports.join(', ')} is already in use. ${msg}`);
        }
        throw new Error(msg);
      }
      if (startedLine.test(readFrom(this.logFile, logOffset))) {
        if (await portAccepts(this.stompPort)) break;
      }
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`ActiveMQ test broker "${this.name}" did not accept connections on 127.0.0.1:`
          + `${ports.join(', ')} within ${START_TIMEOUT_MS / 1000} s`
          + `\n--- ${this.logFile} (tail) ---\n${tailOf(this.logFile, 30)}`
          + `\n--- ${this.consoleFile} (tail) ---\n${tailOf(this.consoleFile, 15)}`);
      }
      await sleep(40);
    }
    this.lastStartSeconds = (Date.now() - started) / 1000;
  }

  private async waitExit(timeoutMs: number): Promise<boolean> {
    const child = this.child;
    if (!child) return true;
    child.ref(); // keep the event loop alive while we wait
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.exited.then(() => true),
        new Promise<boolean>((r) => { timer = setTimeout(() => r(false), timeoutMs); }),
      ]);
    } finally {
      if (timer) clearTimeout(timer);
      child.unref();
    }
  }

  /** Graceful stop: SIGTERM (ActiveMQ's shutdown hook closes KahaDB), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    if (!(await this.waitExit(STOP_GRACE_MS))) {
      child.kill('SIGKILL');
      await this.waitExit(STOP_GRACE_MS);
    }
  }

  /** Immediate stop: SIGKILL, then wait until the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await this.waitExit(STOP_GRACE_MS);
  }

  /** stop() then start again on the same ports with the same data directory. */
  async restart(): Promise<void> {
    await this.stop();
    this.writeConfig();
    await this.launch();
  }

  /** Last lines of the broker log, for assertion messages. */
  logTail(lines = 30): string {
    return tailOf(this.logFile, lines);
  }
}

/** Make `dir` an empty broker directory; refuse to wipe anything that is not one, or is in use. */
function prepareDir(dir: string): void {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new Error(`Refusing to wipe ${dir}: not empty and not a test broker directory (no ${MARKER})`);
    }
    const pidFile = join(dir, 'broker.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid > 0 && processAlive(pid) && isJava(pid)) {
        throw new BrokerDirInUseError(`${dir} is in use by a running broker (pid ${pid}); stop it or use another name`);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(join(dir, 'conf'), { recursive: true });
  writeFileSync(join(dir, MARKER), 'test broker directory, wiped by sim/testbed/broker.ts\n');
}

const removeAtExit = new Set<string>();
function removeOnExit(dir: string): void {
  if (removeAtExit.size === 0) {
    installExitHook(); // registered first, so the brokers are killed before their dirs go
    process.on('exit', () => {
      for (const d of removeAtExit) {
        try {
          rmSync(d, { recursive: true, force: true });
        } catch {
          // best effort
        }
      }
    });
  }
  removeAtExit.add(dir);
}

function isJava(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('activemq');
  } catch {
    return process.platform !== 'linux'; // cannot tell: assume it is
  }
}

// ---------------------------------------------------------------------------------------------
// The shared broker

/** Environment variables by which scripts/run-tests.mjs hands its broker to the test files. */
export const ENV_STOMP_PORT = 'SC_TEST_STOMP_PORT';
export const ENV_STOMP_TLS_PORT = 'SC_TEST_STOMP_TLS_PORT';
export const ENV_PKI_DIR = 'SC_TEST_PKI_DIR';

export function testPki(): TestPki {
  return makeTestPki(process.env[ENV_PKI_DIR] || join(REPO_ROOT, '.broker', 'pki'));
}

/**
 * Start a broker with STOMP and STOMP+TLS (server certificate from `pki`) named 'shared' (in
 * .broker/shared, or .broker/shared-<pid> while another test run uses that). Full JIT, as it
 * may carry benchmarks. Used by scripts/run-tests.mjs and by sharedBroker().
 */
export function startSharedBroker(pki: TestPki = testPki()): Promise<Broker> {
  const tls = { keystore: pki.serverP12, truststore: pki.trustP12, password: pki.keystorePassword };
  return Broker.start({ name: 'shared', tls, quickJit: false });
}

let shared: Promise<SharedBrokerInfo> | null = null;

/**
 * The broker shared by a whole test run: if SC_TEST_STOMP_PORT is set (by scripts/run-tests.mjs)
 * a handle describing it (stop() is a no-op); otherwise one started here (so a single test file
 * can run alone), killed when this process exits at the latest.
 */
export function sharedBroker(): Promise<SharedBrokerInfo> {
  if (shared) return shared;
  const envPort = Number(process.env[ENV_STOMP_PORT] || 0);
  if (envPort > 0) {
    const tlsPort = Number(process.env[ENV_STOMP_TLS_PORT] || 0);
    if (!(tlsPort > 0)) {
      return Promise.reject(new Error(`${ENV_STOMP_PORT} is set but ${ENV_STOMP_TLS_PORT} is not`));
    }
    const info: SharedBrokerInfo = {
      stompPort: envPort,
      stompTlsPort: tlsPort,
      pki: testPki(),
      stop: async () => undefined,
    };
    shared = Promise.resolve(info);
    return shared;
  }
  shared = (async () => {
    const pki = testPki();
    const broker = await startSharedBroker(pki);
    const info: SharedBrokerInfo = {
      stompPort: broker.stompPort,
      stompTlsPort: broker.stompTlsPort!,
      pki,
      stop: () => broker.stop(),
    };
    return info;
  })();
  shared.catch(() => { shared = null; });
  return shared;
}
