/**
 * `npm run demo`: a two-region clearing network on this machine, for newcomers.
 *
 * Starts a private ActiveMQ broker (Debian's package, as the tests use), two emulated SOAR
 * servers (EU: org 201 'Test Organization', brand soar2; US: org 202 'Test Organization 2',
 * brand soar3: different orgs so their queues never mix), writes a config file per node under
 * the data directory (default `<repo>/.demo/`, wiped at start), customizes both SOARs as
 * `soar-clearing customize` would, starts both clearing nodes in this process (workers over
 * STOMP+TLS, peer API over mutual TLS, certificates from a PKI generated with openssl), and
 * creates a sample incident in EU.
 *
 * Without --smoke it then prints what to try and runs until Ctrl-C. With --smoke it runs every
 * flow once (group coordination, assess priority, share read-only, the view from the other
 * region, the US web UI signed in as soar3's analyst, distribute, distribute again, revoke the
 * share, a configuration push dry run and push from EU to US), prints a step summary (--json:
 * `{ ok, steps }`), and exits 0 only when every step passed. Everything is shut down on the way
 * out, on errors and on SIGINT/SIGTERM too.
 *
 * It installs nothing itself: when ActiveMQ, java, keytool or openssl are missing it runs
 * `bash scripts/activemq.sh install` if it may (root or password-less sudo), else it names the
 * command to run.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { buildExport, customization } from '../customize/build.js';
import { DISTRIBUTION_TABLE } from '../customize/datatable.js';
import { INCIDENT_FIELD } from '../customize/fields.js';
import { INVOLVE_GROUP_COORDINATION_TASK } from '../customize/tasks.js';
import { functions } from '../functions/index.js';
import type { BrandPushResult } from '../src/clearing/contracts/config-push.js';
import { pushConfiguration, type PushReport } from '../src/clearing/config-push.js';
import { brandLines, objectSummary } from '../src/clearing/config-push-report.js';
import { readDistributionRows, type DistributionRow } from '../src/clearing/distribution-table.js';
import { sharedIncident, sharedWithMyBrand } from '../src/clearing/shared-client.js';
import { isNotFound } from '../src/clearing/shared-view.js';
import { loadConfig, secretsOf } from '../src/config/index.js';
import type { AppConfig } from '../src/config/types.js';
import { installCustomization } from '../src/app/customize.js';
import { importConfiguration } from '../src/soar/configuration.js';
import { WebVisitor } from './demo-web.js';
import { describeSamples } from './emulator/samples.js';
import { SoarEmulator } from './emulator/server.js';
import { DEFAULT_API_KEY, DEFAULT_USER } from './emulator/state.js';
import type { WorkflowInstance } from './emulator/workflows.js';
import { createLogger } from '../src/core/logger.js';
import { processAlive } from '../src/core/process-alive.js';
import { ClearingNode } from '../src/app/node.js';
import { SoarClient } from '../src/soar/client.js';
import type { Incident } from '../src/soar/dto.js';
import { ACTIVEMQ_HOME, ACTIVEMQ_JAR, Broker, freePorts, REPO_ROOT } from './testbed/broker.js';
import { makeNodeCert, makeTestPki, type TestPki } from './testbed/pki.js';
import { adminGet, scrape, sumOf } from './testbed/prometheus.js';
import { METRIC } from '../src/core/metrics.js';
import type { JsonObject, Logger } from '../src/core/types.js';
import { SESSION_COOKIE } from '../src/web/ui-kit/session.js';

const DEMO_INCIDENT_NAME = 'Phishing campaign against EU finance';
/** The custom incident field the sample incident carries; the whitelist does not list it. */
const DEMO_PRIVATE_FIELD = 'internal_cost_center';
const DEMO_PRIVATE_VALUE = 'CC-4711 EU finance (internal, must not leave soar2)';

/** The triage config's assets, and the sample incident's artifacts that match them. */
const DEMO_TOP_ASSET = 'eu-payroll';
const DEMO_PAYROLL_HOST = 'payroll.eu-finance.example';
const DEMO_DESKTOP_NET = '10.20.0.0/16';
const DEMO_DESKTOPS = ['10.20.4.17', '10.20.4.23', '10.20.6.9'];

const MARKER = '.sc-demo';
const TABLE = DISTRIBUTION_TABLE.name;
const WF_TABLE_CHANGED = 'wf_clearing_distribution_table_changed';
const WORKFLOW_TIMEOUT_MS = 45_000;

export interface DemoOptions {
  /** Run every flow once, print the summary, stop. */
  readonly smoke?: boolean;
  /** With smoke: print only `{ ok, steps }` as JSON on stdout (progress goes to stderr). */
  readonly json?: boolean;
  /** With smoke: keep the network running after the summary, until Ctrl-C. */
  readonly keep?: boolean;
  /** Data directory (default `<repo>/.demo`); wiped at start. */
  readonly dir?: string;
}

/** One line of the smoke summary. */
export interface DemoStep {
  readonly name: string;
  readonly ok: boolean;
  /** Duration in milliseconds. */
  readonly ms: number;
  readonly detail: string;
}

/** What `demo --smoke --json` prints. */
export interface DemoReport {
  readonly ok: boolean;
  readonly steps: DemoStep[];
}

interface RegionSpec {
  readonly key: 'eu' | 'us';
  readonly label: string;
  readonly nodeId: string;
  readonly brand: string;
  readonly orgId: number;
  readonly org: string;
}

const REGIONS: readonly RegionSpec[] = [
  { key: 'eu', label: 'EU', nodeId: 'eu', brand: 'soar2', orgId: 201, org: 'Test Organization' },
  { key: 'us', label: 'US', nodeId: 'us', brand: 'soar3', orgId: 202, org: 'Test Organization 2' },
];

interface Region {
  readonly spec: RegionSpec;
  readonly emulator: SoarEmulator;
  readonly configPath: string;
  readonly logPath: string;
  readonly config: AppConfig;
  /** An admin's client on the region's SOAR (what an analyst's clicks go through). */
  readonly soar: SoarClient;
  readonly node: ClearingNode;
  readonly peerPort: number;
}

class StepFailure extends Error {}
class Interrupted extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
  }
}

function fail(message: string): never {
  throw new StepFailure(message);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A path as short as it can be read from the current directory. */
function shown(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
}

// ---------------------------------------------------------------------------------------------
// Prerequisites (the same as `bash scripts/activemq.sh check`)

function onPath(cmd: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

function javaBinary(): string | null {
  const home = process.env['JAVA_HOME'];
  if (home && existsSync(join(home, 'bin', 'java'))) return join(home, 'bin', 'java');
  return onPath('java');
}

/** What is missing, in words; empty when everything is there. */
function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (!existsSync(ACTIVEMQ_JAR)) missing.push(`ActiveMQ (${ACTIVEMQ_JAR} not found)`);
  if (!javaBinary()) missing.push('java (not on PATH, JAVA_HOME unset)');
  if (!onPath('keytool')) missing.push('keytool (comes with the Java runtime)');
  if (!onPath('openssl')) missing.push('openssl');
  return missing;
}

function mayInstall(): boolean {
  if (process.getuid?.() === 0) return true;
  if (!onPath('sudo')) return false;
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
}

// ---------------------------------------------------------------------------------------------
// The data directory

/** Empties `dir` for a new demo; refuses a directory that is not the demo's or is in use. */
function prepareDataDir(dir: string): void {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new Error(`refusing to wipe ${dir}: not empty and not a demo directory (no ${MARKER}); name another with --dir`);
    }
    const pidFile = join(dir, 'demo.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new Error(`another demo (pid ${pid}) uses ${dir}; stop it first, or name another directory with --dir`);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'soar-clearing demo directory: wiped by every `npm run demo` start\n');
  writeFileSync(join(dir, 'demo.pid'), `${process.pid}\n`);
}


// ---------------------------------------------------------------------------------------------
// Config files

interface ConfigInput {
  readonly spec: RegionSpec;
  readonly soarPort: number;
  readonly stompTlsPort: number;
  readonly peerPort: number;
  readonly webPort: number;
  readonly adminPort: number;
  readonly peers: readonly { readonly spec: RegionSpec; readonly port: number }[];
}

/** The menu item an EU admin adds before the configuration push (so that the push has news). */
const DEMO_RULE = 'Demo: escalate to the regional lead';

function demoRuleExport(): JsonObject {
  return {
    export_format_version: 2,
    actions: [{ name: DEMO_RULE, type: 1, object_type: 'incident', logic_type: 'all', conditions: [], workflows: [], message_destinations: [], automations: [], view_items: [], enabled: true, tags: [] }],
  };
}

/** The rules (menu items and automatic ones) of a SOAR. */
async function rulesOf(soar: SoarClient): Promise<Array<{ id: number; name: string }>> {
  return (await soar.get<{ entities: Array<{ id: number; name: string }> }>('/actions')).entities;
}

async function ruleNames(soar: SoarClient): Promise<string[]> {
  return (await rulesOf(soar)).map((r) => r.name);
}

/**
 * A push report in one line, per brand: `soar3 (node us): dry_run, would add 1: rules: ...,
 * unchanged: 46`; SOAR's import messages only for a brand that failed (else one per object).
 */
function pushSummary(report: PushReport): string {
  const brand = (b: BrandPushResult): string => brandLines(b).map((l) => l.trim()).filter((l) => b.outcome === 'failed' || !l.startsWith('SOAR:')).join(', ');
  const brands = report.nodes.flatMap((n) => (n.error ? [`node ${n.node}: FAILED: ${n.error}`] : n.brands.map(brand)));
  return `push ${report.push_id} "${report.reason}" of ${objectSummary(report.objects)} from ${report.reference_brand}: ${brands.join('; ') || 'no brand'}`;
}

/** The SOAR group whose members may use the demo's web UIs. */
const DEMO_WEB_GROUP = 'clearing_analysts';

/** The analyst of a demo brand: a SOAR user (in its region's emulated SOAR) allowed into the web UI. */
function demoAnalyst(brand: string): { email: string; password: string; fname: string; lname: string; groups: string[] } {
  return { email: `analyst@${brand}.example`, password: `Analyst-${brand}!`, fname: 'Demo', lname: `Analyst ${brand}`, groups: [DEMO_WEB_GROUP] };
}

function configYaml(c: ConfigInput): string {
  const { spec } = c;
  const peers = c.peers.map((p) => `    ${p.spec.nodeId}: { url: "https://127.0.0.1:${p.port}", brands: [${p.spec.brand}] }`).join('\n');
  return `# Written by \`npm run demo\` for its ${spec.label} region; rewritten at every demo start.
# A complete clearing node configuration: read it next to app.config.yaml, which explains each key.
node:
  id: ${spec.nodeId}
  listen: { host: 127.0.0.1, port: ${c.peerPort} }
  tls:
    cert: ../pki/${spec.nodeId}.crt
    key: ../pki/${spec.nodeId}.key
    ca: ../pki/ca.crt

brand_id: ${spec.brand}
soar:
  host: 127.0.0.1
  port: ${c.soarPort}
  org: ${spec.org}
  api_key_id: ${DEFAULT_API_KEY.id}
  api_key_secret: \${SC_DEMO_SOAR_SECRET:-${DEFAULT_API_KEY.secret}}
  cafile: ../pki/ca.crt
  retries: 2
  retry_backoff_s: 0.1
stomp:
  port: ${c.stompTlsPort}
  tls: true
  reconnect_initial_s: 0.2
  reconnect_max_s: 2
  connect_timeout_s: 10
destinations: [${customization.destination}]

web:
  listen: { host: 127.0.0.1, port: ${c.webPort} }
  allowed_groups: [${DEMO_WEB_GROUP}]

# /healthz, /readyz and /metrics (Prometheus); \`soar-clearing health\` asks it.
admin:
  listen: { host: 127.0.0.1, port: ${c.adminPort} }

network:
  primary: ${REGIONS[0]!.nodeId}
  peers:
${peers}

# What "Clearing: assess priority" scores: the sample incident's artifacts name the payroll
# portal and the desktops of the users who clicked (see README: Triage).
triage:
  assets:
    ${DEMO_TOP_ASSET}:
      hostnames: [${DEMO_PAYROLL_HOST}]
      operations: 4
      security: 3
      business_impact: /All Asset/Business Impact/Analysis/Business Role/Payroll
    eu-finance-desktops:
      ips: [${DEMO_DESKTOP_NET}]
      operations: 2
      security: 2
      group: true
  residual: { count: 3, adds: 1, max_adds: 1 }

worker:
  shutdown_grace_s: 2

logging:
  level: info
  format: text
  file: node.log
`;
}

// ---------------------------------------------------------------------------------------------

class Demo {
  private readonly dir: string;
  private readonly out: NodeJS.WritableStream;
  private readonly cleanups: Array<{ what: string; run: () => Promise<void> }> = [];
  private readonly interrupt = new AbortController();
  private readonly interrupted: Promise<never>;
  private echoNodeLogs = false;
  private pki!: TestPki;
  private broker!: Broker;
  private readonly regions = new Map<RegionSpec['key'], Region>();
  private incident!: Incident;
  private incidentCreatedAt = 0;
  private samplesNote = '';
  /** Set once this demo took the data directory (its demo.pid is ours to remove). */
  private ownsDir = false;

  constructor(private readonly opts: DemoOptions) {
    this.dir = resolve(opts.dir ?? join(REPO_ROOT, '.demo'));
    this.out = opts.json ? process.stderr : process.stdout;
    this.interrupted = new Promise<never>((_, reject) => {
      this.interrupt.signal.addEventListener('abort', () => reject(this.interrupt.signal.reason as Error), { once: true });
    });
    this.interrupted.catch(() => undefined);
  }

  private say(line: string): void {
    this.out.write(`[demo] ${line}\n`);
  }

  /** Awaits `p`, or rejects with Interrupted as soon as Ctrl-C comes. */
  private guard<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.interrupted]);
  }

  private region(key: RegionSpec['key']): Region {
    return this.regions.get(key)!;
  }

  async run(): Promise<number> {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
    const onSignal = (sig: NodeJS.Signals): void => {
      if (this.interrupt.signal.aborted) {
        this.say(`${sig} again: exiting now`);
        process.exit(130);
      }
      this.out.write('\n');
      this.say(`${sig}: shutting down`);
      this.interrupt.abort(new Interrupted(sig));
    };
    for (const s of signals) process.on(s, onSignal);
    try {
      return await this.main();
    } finally {
      await this.shutdown();
      for (const s of signals) process.off(s, onSignal);
    }
  }

  private async main(): Promise<number> {
    const started = Date.now();
    let setupError: string | null = null;
    try {
      await this.guard(this.setUp());
    } catch (err) {
      if (err instanceof Interrupted) return 130;
      setupError = errorText(err);
      this.say(`FAILED to start: ${setupError}`);
    }
    const setupStep: DemoStep = {
      name: 'start the two-region network',
      ok: setupError === null,
      ms: Date.now() - started,
      detail: setupError ?? `broker, 2 SOAR emulators (${this.samplesNote}), 2 clearing nodes, sample incident ${this.incident?.id ?? '?'}`,
    };

    if (!this.opts.smoke) {
      if (setupError !== null) return 1;
      await this.printWhatToTry();
      await this.untilInterrupted();
      return 0;
    }

    const steps: DemoStep[] = [setupStep];
    if (setupError === null) {
      this.say('smoke run: every flow once');
      try {
        await this.guard(this.smoke(steps));
      } catch (err) {
        if (err instanceof Interrupted) return 130;
        throw err;
      }
    }
    const report: DemoReport = { ok: steps.every((s) => s.ok), steps };
    if (this.opts.keep && setupError === null) {
      this.printSummary(report);
      await this.printWhatToTry();
      await this.untilInterrupted();
    }
    await this.shutdown();
    if (this.opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (!this.opts.keep || setupError !== null) this.printSummary(report);
    return report.ok ? 0 : 1;
  }

  private async untilInterrupted(): Promise<void> {
    this.echoNodeLogs = true;
    await this.interrupted.catch(() => undefined);
    this.echoNodeLogs = false;
  }

  // ---- start-up ----

  private async setUp(): Promise<void> {
    await this.checkPrerequisites();
    prepareDataDir(this.dir);
    this.ownsDir = true;
    this.say(`data directory ${shown(this.dir)} (wiped at every start)`);

    let t = Date.now();
    this.pki = makeTestPki(join(this.dir, 'pki'));
    for (const r of REGIONS) makeNodeCert(this.pki, r.nodeId);
    this.say(`test PKI made with openssl in ${shown(this.pki.dir)}: CA, broker/SOAR certificate, node certificates ${REGIONS.map((r) => r.nodeId).join(', ')} (${seconds(Date.now() - t)})`);

    t = Date.now();
    this.broker = await Broker.start({
      name: 'demo',
      dir: join(this.dir, 'broker'),
      tls: { keystore: this.pki.serverP12, truststore: this.pki.trustP12, password: this.pki.keystorePassword },
    });
    const broker = this.broker;
    this.cleanups.push({ what: 'broker', run: () => broker.stop() });
    this.say(`broker ready on stomp+ssl://127.0.0.1:${broker.stompTlsPort} (ActiveMQ from ${ACTIVEMQ_HOME}, data in ${shown(broker.dir)}) (${seconds(Date.now() - t)})`);

    // Peer API, web UI and admin ports of both nodes, chosen together so that none is chosen twice.
    const ports = await freePorts(REGIONS.length * 3);
    const peerPorts = ports.slice(0, REGIONS.length);
    const webPorts = ports.slice(REGIONS.length, 2 * REGIONS.length);
    const adminPorts = ports.slice(2 * REGIONS.length);
    const ca = readFileSync(this.pki.caCert);
    for (const [i, spec] of REGIONS.entries()) {
      t = Date.now();
      const emulator = await SoarEmulator.start({
        pki: this.pki,
        broker: { port: broker.stompTlsPort!, tls: { ca } },
        incidentFields: [DEMO_PRIVATE_FIELD],
      });
      this.cleanups.push({ what: `${spec.label} SOAR`, run: () => emulator.stop() });
      emulator.state.addUser(demoAnalyst(spec.brand));
      this.samplesNote = `answers from ${describeSamples()}`;
      if (i === 0) this.say(`SOAR emulators answer from ${describeSamples()}`);
      this.say(`${spec.label} SOAR (emulated) on https://127.0.0.1:${emulator.port}: org ${spec.orgId} '${spec.org}', brand ${spec.brand} (${seconds(Date.now() - t)})`);

      const regionDir = join(this.dir, spec.key);
      mkdirSync(regionDir, { recursive: true });
      const configPath = join(regionDir, 'app.config.yaml');
      writeFileSync(configPath, configYaml({
        spec,
        soarPort: emulator.port,
        stompTlsPort: broker.stompTlsPort!,
        peerPort: peerPorts[i]!,
        webPort: webPorts[i]!,
        adminPort: adminPorts[i]!,
        peers: REGIONS.filter((r) => r !== spec).map((r) => ({ spec: r, port: peerPorts[REGIONS.indexOf(r)]! })),
      }));
      const config = loadConfig({ path: configPath, env: process.env, cwd: process.cwd() });
      this.say(`${spec.label} node config: ${shown(configPath)}`);

      t = Date.now();
      const soar = await SoarClient.connect(config.brands[0]!.soar);
      this.cleanups.push({ what: `${spec.label} admin session`, run: () => soar.close() });
      const report = await installCustomization(soar, buildExport(), customization.destination, this.quietLog());
      this.say(`${spec.label} SOAR customized: import ${report.import.id} ${report.import.status}, ${customization.functions.length} functions, ${customization.rules.length} rules, datatable ${TABLE}, destination ${report.destination.name} (${seconds(Date.now() - t)})`);

      const logPath = config.logging.file ?? join(regionDir, 'node.log');
      const node = new ClearingNode(config, functions, this.nodeLogger(spec, config));
      this.regions.set(spec.key, { spec, emulator, configPath, logPath, config, soar, node, peerPort: peerPorts[i]! });
    }

    t = Date.now();
    // Stopped before the SOARs and the broker (cleanups run in reverse order).
    for (const r of this.regions.values()) this.cleanups.push({ what: `${r.spec.label} node`, run: () => r.node.stop() });
    await Promise.all([...this.regions.values()].map(async (r) => {
      await r.node.start();
      await Promise.all(r.node.workers.map((w) => w.start()));
    }));
    for (const r of this.regions.values()) {
      this.say(`${r.spec.label} clearing node '${r.spec.nodeId}' up: worker subscribed to actions.${r.spec.orgId}.${customization.destination}, peer API https://127.0.0.1:${r.node.peerPort} (mutual TLS), web UI https://127.0.0.1:${r.node.webPort}/ui/, admin http://127.0.0.1:${r.node.adminPort}/readyz, log ${shown(r.logPath)}`);
    }
    this.say(`both nodes ready (${seconds(Date.now() - t)})`);

    t = Date.now();
    const eu = this.region('eu');
    this.incidentCreatedAt = Date.now();
    this.incident = await eu.soar.createIncident({
      name: DEMO_INCIDENT_NAME,
      discovered_date: Date.now() - 3_600_000,
      description: { format: 'text', content: 'Finance staff in three EU offices received mails asking them to confirm a payroll change on a look-alike domain.' },
      properties: { [DEMO_PRIVATE_FIELD]: DEMO_PRIVATE_VALUE },
    });
    await eu.soar.addNote(this.incident.id, '<p>The mail gateway blocked 212 messages from this sender; 3 users clicked the link and had their passwords reset.</p>');
    await eu.soar.addArtifact(this.incident.id, { type: 'Email Sender', value: 'payroll-update@examp1e-finance.test', description: 'Sender of the phishing mails' });
    await eu.soar.addArtifact(this.incident.id, { type: 'DNS Name', value: DEMO_PAYROLL_HOST, description: 'The payroll portal the mails imitated' });
    for (const ip of DEMO_DESKTOPS) await eu.soar.addArtifact(this.incident.id, { type: 'IP Address', value: ip, description: 'Desktop of a finance user who clicked the link' });
    this.say(`sample incident ${this.incident.id} '${DEMO_INCIDENT_NAME}' in EU: a note, ${2 + DEMO_DESKTOPS.length} artifacts (sender, payroll portal, desktops: the triage config's assets), and custom field ${DEMO_PRIVATE_FIELD} (not whitelisted: never leaves soar2) (${seconds(Date.now() - t)})`);
  }

  private async checkPrerequisites(): Promise<void> {
    let missing = missingPrerequisites();
    if (missing.length === 0) return;
    this.say(`missing: ${missing.join('; ')}`);
    const script = join(REPO_ROOT, 'scripts', 'activemq.sh');
    const scriptThere = existsSync(script);
    const command = scriptThere ? `sudo bash ${shown(script)} install` : 'sudo apt-get install -y --no-install-recommends activemq default-jre-headless openssl';
    if (scriptThere && mayInstall()) {
      this.say(`installing with: bash ${shown(script)} install`);
      const r = spawnSync('bash', [script, 'install'], { stdio: ['ignore', this.opts.json ? 2 : 1, 2] });
      missing = missingPrerequisites();
      if (r.status === 0 && missing.length === 0) return;
      throw new Error(`installation did not succeed (see above); still missing: ${missing.join('; ') || 'nothing?'}; run: ${command}`);
    }
    throw new Error(`install them first (Debian/Ubuntu), then run the demo again: ${command}`);
  }

  /** The node's log goes to its file; on the screen only while the demo idles (not in smoke). */
  private nodeLogger(spec: RegionSpec, config: AppConfig): Logger {
    let partial = '';
    const screen = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        const text = partial + chunk.toString();
        const lines = text.split('\n');
        partial = lines.pop() ?? '';
        if (this.echoNodeLogs) for (const line of lines) if (line) this.out.write(`  [${spec.nodeId}] ${line}\n`);
        done();
      },
    });
    return createLogger({ ...config.logging, secrets: secretsOf(config), stream: screen });
  }

  private quietLog(): Logger {
    return createLogger({ level: 'error', format: 'text', file: null, stream: new Writable({ write: (_c, _e, done) => done() }) });
  }

  // ---- what to try ----

  private async printWhatToTry(): Promise<void> {
    const eu = this.region('eu');
    const us = this.region('us');
    const assess = await rulesOf(eu.soar).then((rules) => rules.find((r) => r.name === 'Clearing: assess priority'), () => undefined);
    const cli = shown(join(REPO_ROOT, 'dist', 'bin', 'soar-clearing.js'));
    const ca = shown(this.pki.caCert);
    const key = `${DEFAULT_API_KEY.id}:${DEFAULT_API_KEY.secret}`;
    const curl = `curl -s --cacert ${ca} -u ${key}`;
    const euRest = `https://127.0.0.1:${eu.emulator.port}/rest/orgs/${eu.spec.orgId}`;
    const usRest = `https://127.0.0.1:${us.emulator.port}/rest/orgs/${us.spec.orgId}`;
    const id = this.incident.id;
    const lines = [
      '',
      'The demo network is running.',
      '',
      `  EU SOAR  https://127.0.0.1:${eu.emulator.port}  org ${eu.spec.orgId} '${eu.spec.org}', brand ${eu.spec.brand}, node '${eu.spec.nodeId}' (peer API :${eu.node.peerPort})`,
      `  US SOAR  https://127.0.0.1:${us.emulator.port}  org ${us.spec.orgId} '${us.spec.org}', brand ${us.spec.brand}, node '${us.spec.nodeId}' (peer API :${us.node.peerPort})`,
      `  Both SOARs: API key ${DEFAULT_API_KEY.id} / ${DEFAULT_API_KEY.secret}, or user ${DEFAULT_USER.email} / ${DEFAULT_USER.password}; CA certificate ${ca}`,
      `  Web UI   EU https://127.0.0.1:${eu.node.webPort}/ui/   US https://127.0.0.1:${us.node.webPort}/ui/   (self-signed demo CA: ${ca})`,
      `           sign in at US as brand ${us.spec.brand}: ${demoAnalyst(us.spec.brand).email} / ${demoAnalyst(us.spec.brand).password}; at EU as brand ${eu.spec.brand}: ${demoAnalyst(eu.spec.brand).email} / ${demoAnalyst(eu.spec.brand).password}`,
      `  Node configs: ${shown(eu.configPath)}, ${shown(us.configPath)}   logs: ${shown(eu.logPath)}, ${shown(us.logPath)}`,
      '',
      'Try (in another terminal, from this directory):',
      `  # the sample incident in EU, and its distribution table (one row for soar3)`,
      `  ${curl} ${euRest}/incidents/${id}`,
      `  ${curl} ${euRest}/incidents/${id}/table_data/${TABLE}`,
      `  # share it read-only with soar3: set the row's flag as an analyst would (ROW = the row's id)`,
      `  ${curl} -X PUT -H 'Content-Type: application/json' -d '{"cells":{"read_only":{"value":true}}}' ${euRest}/incidents/${id}/table_data/${TABLE}/row_data/ROW`,
      `  # ...then read it as soar3 in the US web UI: sign in at https://127.0.0.1:${us.node.webPort}/ui/login as brand ${us.spec.brand}`,
      `  #    (the analyst above); every page has a JSON twin under /ui/api/ (e.g. /ui/api/shared) for the same session`,
      `  # distribute a copy to soar3, then look for it in the US SOAR`,
      `  ${curl} -X PUT -H 'Content-Type: application/json' -d '{"cells":{"distribute":{"value":true}}}' ${euRest}/incidents/${id}/table_data/${TABLE}/row_data/ROW`,
      `  ${curl} -X POST -H 'Content-Type: application/json' -d '{"filters":[{"conditions":[{"field_name":"properties.clearing_origin_brand","method":"equals","value":"${eu.spec.brand}"}]}]}' ${usRest}/incidents/query_paged`,
      `  # assess its priority (menu item "Clearing: assess priority"; assets in the triage: section of ${shown(eu.configPath)}),`,
      `  # then read properties.clearing_priority_score and clearing_priority_explanation of the incident`,
      `  ${curl} -X POST -H 'Content-Type: application/json' -d '{"action_id":${assess?.id ?? 'ID'},"properties":{}}' ${euRest}/incidents/${id}/action_invocations`,
      `  # what a configuration push from the primary (EU) would change in soar3's SOAR (without --dry-run it asks, then pushes)`,
      `  node ${cli} config push --dry-run --reason "trying it" -c ${shown(eu.configPath)}`,
      `  # is each node ready (every SOAR, broker and peer connected)? its metrics, as Prometheus reads them`,
      `  node ${cli} health -c ${shown(eu.configPath)}`,
      `  curl -s http://127.0.0.1:${eu.node.adminPort}/readyz; curl -s http://127.0.0.1:${eu.node.adminPort}/metrics | grep ^soar_clearing_`,
      `  # a new incident in either region gets the task and a row for the other brand`,
      `  ${curl} -X POST -H 'Content-Type: application/json' -d '{"name":"My test incident","discovered_date":'$(date +%s000)'}' ${usRest}/incidents`,
      '',
      'Press Ctrl-C to stop everything. The nodes\' log lines follow.',
      '',
    ];
    this.out.write(`${lines.join('\n')}\n`);
  }

  private printSummary(report: DemoReport): void {
    const width = Math.max(...report.steps.map((s) => s.name.length));
    this.out.write('\n');
    report.steps.forEach((s, i) => {
      this.out.write(`  ${s.ok ? 'ok  ' : 'FAIL'}  ${String(i + 1).padStart(2)}. ${s.name.padEnd(width)}  ${seconds(s.ms).padStart(7)}  ${s.detail}\n`);
    });
    const passed = report.steps.filter((s) => s.ok).length;
    this.out.write(`\n[demo] smoke: ${passed} of ${report.steps.length} steps passed: ${report.ok ? 'ok' : 'FAILED'}\n`);
  }

  // ---- the smoke run ----

  private async smoke(steps: DemoStep[]): Promise<void> {
    const eu = this.region('eu');
    const us = this.region('us');
    const id = this.incident.id;
    const target = us.spec.brand;

    const step = async (name: string, fn: () => Promise<string>, startedAt = Date.now()): Promise<boolean> => {
      let s: DemoStep;
      try {
        s = { name, ok: true, ms: 0, detail: await this.guard(fn()) };
      } catch (err) {
        if (err instanceof Interrupted) throw err;
        s = { name, ok: false, ms: 0, detail: errorText(err) };
      }
      s = { ...s, ms: Date.now() - startedAt };
      steps.push(s);
      this.say(`${s.ok ? 'ok  ' : 'FAIL'} ${name} (${seconds(s.ms)}): ${s.detail}`);
      return s.ok;
    };

    const row = async (): Promise<DistributionRow> =>
      (await readDistributionRows(eu.soar, id)).find((r) => r.brand === target) ?? fail(`no distribution row for ${target} on incident ${id}`);
    const setFlag = async (column: 'read_only' | 'distribute', value: boolean): Promise<WorkflowInstance> => {
      const before = eu.emulator.workflows.instancesFor({ incidentId: id, workflow: WF_TABLE_CHANGED }).length;
      await eu.soar.updateTableRow(id, TABLE, (await row()).rowId, { [column]: value });
      return this.lastWorkflow(id, WF_TABLE_CHANGED, before);
    };
    const copies = async (): Promise<Incident[]> => (await us.soar.queryIncidentsPaged({
      filters: [{ conditions: [
        { field_name: 'properties.clearing_origin_brand', method: 'equals', value: eu.spec.brand },
        { field_name: 'properties.clearing_origin_incident_id', method: 'equals', value: String(id) },
      ] }],
    })).data;
    /** An analyst picks the incident's menu item (a menu-item rule) in EU; answers its completed workflow. */
    const menuItem = async (name: string): Promise<WorkflowInstance> => {
      const rule = (await rulesOf(eu.soar)).find((r) => r.name === name) ?? fail(`no menu item "${name}"`);
      const before = eu.emulator.workflows.instancesFor({ incidentId: id, rule: rule.name }).length;
      await eu.soar.post(`/incidents/${id}/action_invocations`, { action_id: rule.id, properties: {} });
      const run = await this.lastWorkflow(id, null, before, rule.name);
      if (run.status !== 'completed') fail(`workflow ${run.workflow} ${run.status}: ${run.error ?? ''}`);
      return run;
    };
    /** What the US node's shared view lists for soar3 from EU: the incident's entry, or null. */
    const listedInUs = async (): Promise<{ total: number; name: string | null }> => {
      const list = await sharedWithMyBrand(us.node.network, target, { page: 1, perPage: 50 });
      const down = list.sources.filter((src) => !src.ok);
      if (down.length) fail(`the shared view could not ask ${down.map((d) => `${d.node} (${d.code}: ${d.error})`).join(', ')}`);
      const item = list.items.find((i) => i.owner_brand === eu.spec.brand && i.incident_id === id);
      return { total: list.total, name: item ? String(item.incident['name'] ?? '') : null };
    };

    // (a) the automatic rule on the new incident
    await step('group coordination on incident creation', async () => {
      await this.settle();
      const run = eu.emulator.workflows.instancesFor({ incidentId: id, rule: 'Clearing: involve group coordination' })[0]
        ?? fail('the rule "Clearing: involve group coordination" did not run');
      if (run.status !== 'completed') fail(`workflow ${run.workflow} ${run.status}: ${run.error ?? ''}`);
      const task = (await eu.soar.listIncidentTasks(id)).find((t) => t.name === INVOLVE_GROUP_COORDINATION_TASK.name)
        ?? fail(`no task '${INVOLVE_GROUP_COORDINATION_TASK.name}'`);
      const r = await row();
      return `task '${task.name}' (${task.id}) and a distribution row for ${r.brand} (row ${r.rowId}), by workflow ${run.workflow} in ${run.endedAt! - run.startedAt} ms`;
    }, this.incidentCreatedAt);

    // (b) the priority score, as an analyst's menu click computes it
    await step('assess priority (menu item)', async () => {
      const run = await menuItem('Clearing: assess priority');
      const props = (await eu.soar.getIncident(id)).properties;
      const score = props[INCIDENT_FIELD.priorityScore.name];
      if (typeof score !== 'number') fail(`workflow ${run.workflow} completed but ${INCIDENT_FIELD.priorityScore.name} is ${JSON.stringify(score ?? null)}`);
      const summary = String(props[INCIDENT_FIELD.priorityExplanation.name] ?? '').split('\n')[0] ?? '';
      const top = /top asset \d+ \(([^)]*)\)/.exec(summary)?.[1] ?? fail(`${INCIDENT_FIELD.priorityExplanation.name} names no top asset: '${summary}'`);
      if (top !== DEMO_TOP_ASSET) fail(`top asset is ${top}, not ${DEMO_TOP_ASSET} (the triage: section of ${shown(eu.configPath)})`);
      return `menu item "${run.rule}" ran ${run.workflow}: ${INCIDENT_FIELD.priorityScore.name} = ${score}, top asset ${top} (${summary})`;
    });

    // (c) share read-only, and look from the other region
    let shared = false;
    await step(`share read-only with ${target}`, async () => {
      const run = await setFlag('read_only', true);
      if (run.status !== 'completed') fail(`workflow ${run.workflow} ${run.status}: ${run.error ?? ''}`);
      const inc = await eu.soar.getIncident(id);
      const sharedWith = String(inc.properties['clearing_shared_with'] ?? '');
      if (!sharedWith.split(',').map((s) => s.trim()).includes(target)) fail(`"Clearing: shared with" is '${sharedWith}', not listing ${target}`);
      const r = await row();
      if (r.status !== 'Informational') fail(`row status is ${r.status ?? 'empty'}, not Informational`);
      shared = true;
      return `row flag set; workflow ${run.workflow} completed; "Clearing: shared with" = '${sharedWith}', row status Informational`;
    });

    await step(`view it from US (${target}'s shared view)`, async () => {
      if (!shared) fail('the incident is not shared (previous step failed)');
      const listed = await listedInUs();
      if (listed.name === null) fail(`${eu.spec.brand}/${id} is not among the ${listed.total} incident(s) shared with ${target}`);
      const detail = await sharedIncident(us.node.network, target, eu.spec.brand, id);
      if (JSON.stringify(detail).includes(DEMO_PRIVATE_VALUE)) fail(`the non-whitelisted field ${DEMO_PRIVATE_FIELD} reached ${target}`);
      return `node us lists '${listed.name}' (${eu.spec.brand}/${id}, from node ${detail.owner_node}) and reads it live: ${detail.notes.length} note(s), ${detail.artifacts.length} artifact(s), ${detail.dropped.properties} custom field(s) withheld by the whitelist`;
    });

    await step(`sign in to the US web UI as ${target}'s analyst`, async () => {
      if (!shared) fail('the incident is not shared (previous step failed)');
      const analyst = demoAnalyst(target);
      const browser = new WebVisitor(us.node.webPort, readFileSync(this.pki.caCert));
      const landed = await browser.signIn('/ui/shared', target, analyst.email, analyst.password);
      if (!browser.has(SESSION_COOKIE)) fail(`signed in (sent to ${landed}) but no session cookie came`);
      const list = await browser.json<{ total: number; items: Array<{ owner_brand: string; incident_id: number; name: string | null }> }>('/ui/api/shared');
      const item = list.items.find((i) => i.owner_brand === eu.spec.brand && i.incident_id === id)
        ?? fail(`/ui/api/shared does not list ${eu.spec.brand}/${id} among its ${list.total} incident(s)`);
      const detailPath = `/ui/api/shared/${eu.spec.brand}/${id}`;
      const detail = await browser.json<{ incident_id: number; notes: unknown[]; artifacts: unknown[] }>(detailPath);
      if (detail.incident_id !== id) fail(`${detailPath} answered incident ${detail.incident_id}`);
      if (JSON.stringify(detail).includes(DEMO_PRIVATE_VALUE)) fail(`the non-whitelisted field ${DEMO_PRIVATE_FIELD} reached ${target}'s web UI`);
      return `${analyst.email} signed in at ${browser.origin}/ui/login (CSRF cookie + Origin, as a browser) and was sent to ${landed}; ` +
        `/ui/api/shared lists '${item.name ?? ''}' (${list.total} in all); ${detailPath} answers ${detail.notes.length} note(s), ${detail.artifacts.length} artifact(s)`;
    });

    // (d) distribute a copy
    let remoteId: string | null = null;
    await step(`distribute a copy to ${target}`, async () => {
      const run = await setFlag('distribute', true);
      if (run.status !== 'completed') fail(`workflow ${run.workflow} ${run.status}: ${run.error ?? ''}`);
      const r = await row();
      if (!r.remoteIncidentId) fail(`the row has no remote incident id (status ${r.status ?? 'empty'}, message ${r.message ?? 'none'})`);
      const copy = await us.soar.getIncident(Number(r.remoteIncidentId));
      if (copy.name !== DEMO_INCIDENT_NAME) fail(`US incident ${copy.id} is '${copy.name}'`);
      const origin = `${String(copy.properties['clearing_origin_brand'] ?? '')}/${String(copy.properties['clearing_origin_incident_id'] ?? '')}`;
      if (origin !== `${eu.spec.brand}/${id}`) fail(`US incident ${copy.id} names its origin '${origin}', not ${eu.spec.brand}/${id}`);
      if (JSON.stringify(copy).includes(DEMO_PRIVATE_VALUE)) fail(`the non-whitelisted field ${DEMO_PRIVATE_FIELD} reached ${target}'s SOAR`);
      remoteId = r.remoteIncidentId;
      const [notes, artifacts] = await Promise.all([us.soar.listNotes(copy.id), us.soar.listArtifacts(copy.id)]);
      return `US incident ${copy.id} created (origin ${origin}, ${notes.length} note(s), ${artifacts.length} artifact(s), no ${DEMO_PRIVATE_FIELD}); row: remote incident ${r.remoteIncidentId}, status ${r.status ?? 'empty'}`;
    });

    // (e) again: no second copy
    await step('distribute again: no duplicate', async () => {
      if (remoteId === null) fail('no first copy to compare with (previous step failed)');
      const run = await menuItem('Clearing: distribute now');
      const list = await copies();
      if (list.length !== 1) fail(`${list.length} copies in the US SOAR: ${list.map((c) => c.id).join(', ')}`);
      const r = await row();
      if (r.remoteIncidentId !== remoteId) fail(`the row's remote incident changed from ${remoteId} to ${r.remoteIncidentId ?? 'none'}`);
      return `menu item "${run.rule}" ran ${run.workflow}; still one copy in the US SOAR (${list[0]!.id})`;
    });

    // (f) revoke the share
    await step(`revoke the share with ${target}`, async () => {
      if (!shared) fail('nothing to revoke (sharing failed)');
      const run = await setFlag('read_only', false);
      if (run.status !== 'completed') fail(`workflow ${run.workflow} ${run.status}: ${run.error ?? ''}`);
      const sharedWith = String((await eu.soar.getIncident(id)).properties['clearing_shared_with'] ?? '');
      if (sharedWith.split(',').map((s) => s.trim()).includes(target)) fail(`"Clearing: shared with" still lists ${target}: '${sharedWith}'`);
      const listed = await listedInUs();
      if (listed.name !== null) fail(`${target}'s shared view still lists the incident`);
      const gone = await sharedIncident(us.node.network, target, eu.spec.brand, id).then(() => false, isNotFound);
      if (!gone) fail(`${target} can still read ${eu.spec.brand}/${id}`);
      const view = `${target}'s shared view no longer lists it and reading it answers not_found`;
      return `row flag cleared; "Clearing: shared with" = '${sharedWith}'; ${view}`;
    });

    // (g) the primary pushes its SOAR configuration to the other region
    await step(`config push --dry-run from ${eu.spec.nodeId} (primary)`, async () => {
      await importConfiguration(eu.soar, demoRuleExport(), eu.node.network.log);
      const report = await pushConfiguration(eu.node.network, { reason: 'demo (dry run)', dryRun: true, log: eu.node.network.log });
      const brands = report.nodes.flatMap((n) => n.brands);
      const theirs = brands.find((b) => b.brand === target) ?? fail(`the report has no brand ${target}: ${pushSummary(report)}`);
      if (!report.ok || theirs.outcome !== 'dry_run') fail(pushSummary(report));
      if (!theirs.added.some((a) => a.endsWith(DEMO_RULE))) fail(`${target} would not get the new rule "${DEMO_RULE}": ${pushSummary(report)}`);
      if ((await ruleNames(us.soar)).includes(DEMO_RULE)) fail(`the dry run changed ${target}'s SOAR`);
      return `menu item "${DEMO_RULE}" added in ${eu.spec.brand}'s SOAR first; ${pushSummary(report)}; nothing changed`;
    });

    await step(`config push from ${eu.spec.nodeId} to ${us.spec.nodeId}`, async () => {
      const report = await pushConfiguration(eu.node.network, { reason: 'demo', dryRun: false, log: eu.node.network.log });
      const theirs = report.nodes.flatMap((n) => n.brands).find((b) => b.brand === target) ?? fail(`the report has no brand ${target}: ${pushSummary(report)}`);
      if (!report.ok || theirs.outcome !== 'imported') fail(pushSummary(report));
      if (!(await ruleNames(us.soar)).includes(DEMO_RULE)) fail(`${target}'s SOAR has no rule "${DEMO_RULE}" after the push`);
      return `${pushSummary(report)}; "${DEMO_RULE}" is now in ${target}'s SOAR`;
    });

    // (h) what an operator's probes and Prometheus see
    await step('health and metrics (admin listeners)', () => this.checkAdmin());
  }

  /**
   * The admin listeners after the flows: both nodes ready, and /metrics of each holds every
   * family with what the flows did (invocations, peer calls, Pending rows, pushes, certificates).
   */
  private async checkAdmin(): Promise<string> {
    const eu = this.region('eu');
    const us = this.region('us');
    for (const r of [eu, us]) {
      const ready = await adminGet(r.node.adminPort, '/readyz');
      if (ready.status !== 200) fail(`${r.spec.nodeId} /readyz answered ${ready.status}: ${ready.body.trim()}`);
    }
    const [m, mu] = await Promise.all([scrape(eu.node.adminPort), scrape(us.node.adminPort)]);
    const missing = Object.values(METRIC).filter((f) => !m.types.has(f));
    if (missing.length > 0) fail(`eu /metrics lacks ${missing.join(', ')}`);
    const brand = { brand: eu.spec.brand };
    const figures = {
      invocations: sumOf(m, METRIC.invocations, { ...brand, outcome: 'success' }),
      timed: sumOf(m, `${METRIC.invocationSeconds}_count`, brand),
      connected: sumOf(m, METRIC.brokerConnected, brand),
      peerCalls: sumOf(m, METRIC.peerCalls, { peer: us.spec.nodeId }),
      pending: sumOf(m, METRIC.distributionRows, { ...brand, status: 'Pending' }),
      pushes: sumOf(m, METRIC.configPushes, { role: 'sent', outcome: 'ok' }),
      received: sumOf(mu, METRIC.configPushes, { role: 'received', outcome: 'ok' }),
      certDays: Math.min(...m.samples.filter((s) => s.name === METRIC.certificateDaysLeft).map((s) => s.value)),
    };
    const wrong = [
      ...(figures.invocations < 5 ? [`${figures.invocations} successful invocations`] : []),
      ...(figures.timed < figures.invocations ? [`${figures.timed} timed invocations of ${figures.invocations}`] : []),
      ...(figures.connected !== 1 ? ['broker not connected'] : []),
      ...(figures.peerCalls < 3 ? [`${figures.peerCalls} peer calls`] : []),
      ...(figures.pending < 1 ? ['no row written Pending'] : []),
      ...(figures.pushes !== 2 || figures.received !== 2 ? [`pushes: ${figures.pushes} sent, ${figures.received} received`] : []),
      ...(!(figures.certDays > 30) ? [`certificate days left ${figures.certDays}`] : []),
    ];
    if (wrong.length > 0) fail(`eu /metrics: ${wrong.join('; ')}`);
    return `both /readyz 200; eu /metrics: all ${Object.keys(METRIC).length} families, ${figures.invocations} invocations answered (all timed), ` +
      `${figures.peerCalls} calls to ${us.spec.nodeId}, ${figures.pending} row(s) written Pending, ${figures.pushes} pushes sent (${figures.received} received by ${us.spec.nodeId}), certificates ${figures.certDays}+ days left`;
  }

  /** Waits until no workflow runs in either SOAR. */
  private async settle(): Promise<void> {
    await Promise.all([...this.regions.values()].map((r) => r.emulator.workflows.waitIdle(WORKFLOW_TIMEOUT_MS)));
  }

  /** The workflow started on the incident after `before` others (by workflow or rule), once all are idle. */
  private async lastWorkflow(incidentId: number, workflow: string | null, before: number, rule?: string): Promise<WorkflowInstance> {
    await this.settle();
    const q = { incidentId, ...(workflow ? { workflow } : {}), ...(rule ? { rule } : {}) };
    const runs = this.region('eu').emulator.workflows.instancesFor(q);
    if (runs.length <= before) fail(`no workflow ran (${rule ? `rule "${rule}"` : workflow})`);
    return runs[runs.length - 1]!;
  }

  // ---- shutdown ----

  private async shutdown(): Promise<void> {
    if (this.cleanups.length === 0) {
      if (this.ownsDir) rmSync(join(this.dir, 'demo.pid'), { force: true });
      return;
    }
    const t = Date.now();
    const problems: string[] = [];
    while (this.cleanups.length > 0) {
      const c = this.cleanups.pop()!;
      try {
        await c.run();
      } catch (err) {
        problems.push(`${c.what}: ${errorText(err)}`);
      }
    }
    if (this.ownsDir) rmSync(join(this.dir, 'demo.pid'), { force: true });
    this.say(`stopped the nodes, SOARs and broker (${seconds(Date.now() - t)})${problems.length ? `; problems: ${problems.join('; ')}` : ''}`);
  }
}

/** Runs `npm run demo`; answers the exit code. */
export function runDemo(opts: DemoOptions = {}): Promise<number> {
  return new Demo(opts).run();
}
