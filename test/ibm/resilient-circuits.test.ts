/**
 * Conformance with IBM's own SOAR client: IBM's resilient-circuits 51.x (installed from the
 * public ibmresilient/resilient-python-api sources by scripts/ibm-client.sh) runs against the SOAR
 * emulator and the real ActiveMQ broker over stomp+ssl, serving the probe function package
 * fn_clearing_ping (function `clearing_ping` on destination `fn_clearing`). IBM's client is the
 * referee of the emulator: a traceback, a refused REST call or a retry in its log is a place
 * where the emulator does not answer as SOAR does.
 *
 * The client and its probe live beside the repository (../shared/tools/ibm-client); without
 * them this group skips, saying so.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/types.js';
import { SoarEmulator } from '../../sim/emulator/server.js';
import type { WorkflowInstance } from '../../sim/emulator/workflows.js';
import { REPO_ROOT, sharedBroker } from '../support/broker.js';
import { field, fnDef, importExport, restFor, rule, workflow } from '../support/export-builder.js';

const TOOL = process.env.SC_IBM_CLIENT_TOOL ?? join(REPO_ROOT, '..', 'shared', 'tools', 'ibm-client', 'install.sh');
const VENV = process.env.SC_IBM_CLIENT_VENV ?? join(REPO_ROOT, '.ibm-client', 'venv');
const SKIP = existsSync(TOOL) ? false : `IBM's client is not beside the repository (${TOOL} missing)`;

/** The probe package's destination and function (fixed by fn_clearing_ping). */
const DESTINATION = 'fn_clearing';
const FUNCTION = 'clearing_ping';
/** An org of its own, so no other test's leftovers on the shared broker reach IBM's client. */
const ORG = { id: 7000 + (process.pid % 1000), name: 'IBM Conformance Org' };
const MENU_RULE = 'IBM: clearing ping';

/** A menu item on incidents whose prompt `ibm_message` becomes clearing_ping_message. */
function probeExport(): JsonObject {
  const message = field('__function', 'clearing_ping_message', 'text');
  const delay = field('__function', 'clearing_ping_delay_ms', 'number');
  const prompt = field('actioninvocation', 'ibm_message', 'text', { required: 'always' });
  const ping = fnDef(FUNCTION, DESTINATION, [message, delay]);
  return {
    export_format_version: 2,
    export_date: Date.now(),
    id: 1,
    server_version: { major: 51, minor: 0, build_number: 0, version: '51.0.0' },
    message_destinations: [
      { programmatic_name: DESTINATION, name: DESTINATION, export_key: DESTINATION, destination_type: 0, expect_ack: true, uuid: 'b6f1c0de-0000-4000-8000-000000000001', api_keys: [], users: [], tags: [] },
    ],
    fields: [message, delay, prompt],
    functions: [ping],
    workflows: [workflow('ibm_wf_ping', 'incident', [{ fn: ping, pre: 'inputs.clearing_ping_message = rule.properties.ibm_message', result: 'ping' }])],
    actions: [
      rule(MENU_RULE, 1, 'incident', ['ibm_wf_ping'], [], {
        view_items: [{ content: prompt['uuid']!, element: 'field_uuid', field_type: 'actioninvocation', show_if: null, show_link_header: false, step_label: null }],
      }),
    ],
    automatic_tasks: [],
    phases: [],
    scripts: [],
    types: [],
  };
}

/** IBM's resilient-circuits as a child process, its log lines kept. */
class ResilientCircuits {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private waiters: Array<() => void> = [];

  constructor(configFile: string, dir: string) {
    this.child = spawn(join(VENV, 'bin', 'resilient-circuits'), ['run'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, APP_CONFIG_FILE: configFile, APP_LOCK_FILE: join(dir, 'lock'), HOME: dir, PYTHONUNBUFFERED: '1' },
    });
    const onData = (c: Buffer): void => {
      const text = c.toString();
      if (process.env.SC_TEST_VERBOSE) process.stderr.write(text);
      this.lines.push(...text.split('\n').filter(Boolean));
      for (const w of this.waiters) w();
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get log(): string {
    return this.lines.join('\n');
  }

  /** Resolves once a log line matches; rejects on exit or after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (err?: Error): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        if (err) reject(err);
        else resolve();
      };
      const check = (): void => {
        if (this.lines.some((l) => pattern.test(l))) finish();
      };
      const timer = setTimeout(() => finish(new Error(`resilient-circuits logged no ${pattern} within ${timeoutMs} ms:\n${this.log.slice(-4000)}`)), timeoutMs);
      void this.exited.then((code) => finish(new Error(`resilient-circuits exited (${code}) before logging ${pattern}:\n${this.log.slice(-4000)}`)));
      this.waiters.push(check);
      check();
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

describe('IBM resilient-circuits against the SOAR emulator', { skip: SKIP }, () => {
  let emu: SoarEmulator;
  let rest: ReturnType<typeof restFor>;
  let rc: ResilientCircuits;
  let incidentId: number;
  let ruleId: number;

  /** An analyst runs the menu item with this prompt; resolves with the finished workflow. */
  async function runMenuItem(message: string): Promise<WorkflowInstance> {
    const r = await rest('POST', `/incidents/${incidentId}/action_invocations`, { action_id: ruleId, properties: { ibm_message: message } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await emu.workflows.waitIdle(60_000);
    const mine = emu.workflows.instancesFor({ incidentId, rule: MENU_RULE }).filter((i) => i.ruleProperties?.['ibm_message'] === message);
    assert.equal(mine.length, 1, JSON.stringify(emu.workflows.instances.map((i) => [i.id, i.status, i.error])));
    return mine[0]!;
  }

  before(async () => {
    const install = spawnSync('bash', [join(REPO_ROOT, 'scripts', 'ibm-client.sh'), 'install'], { encoding: 'utf8', timeout: 600_000 });
    assert.equal(install.status, 0, `scripts/ibm-client.sh install failed:\n${install.stdout}\n${install.stderr}`);

    const broker = await sharedBroker();
    emu = await SoarEmulator.start({ pki: broker.pki, orgs: [ORG], broker: { port: broker.stompPort }, workflowStepTimeoutMs: 45_000 });
    rest = restFor(emu);
    await importExport(rest, probeExport());
    const rules = (await rest('GET', '/actions')).body.entities as JsonObject[];
    ruleId = rules.find((x) => x['name'] === MENU_RULE)!['id'] as number;
    incidentId = (await rest('POST', '/incidents', { name: 'IBM conformance target', discovered_date: Date.now() })).body.id;

    const dir = mkdtempSync(join(tmpdir(), 'sc-ibm-client-'));
    const configFile = join(dir, 'app.config');
    writeFileSync(configFile, [
      '[resilient]',
      'host=127.0.0.1',
      `port=${emu.port}`,
      `org=${ORG.name}`,
      'api_key_id=test-key',
      'api_key_secret=test-secret',
      `cafile=${broker.pki.caCert}`,
      'stomp_host=127.0.0.1',
      `stomp_port=${broker.stompTlsPort}`,
      `logdir=${dir}`,
      'loglevel=DEBUG',
      'num_workers=4',
      '',
      '[fn_clearing_ping]',
      `incident_id=${incidentId}`,
      '',
    ].join('\n'));
    emu.clearRequests();
    rc = new ResilientCircuits(configFile, dir);
    await rc.waitFor(/Subscribed to message destination/, 90_000);
  });

  after(async () => {
    await rc?.stop();
    await emu?.stop();
  });

  test('starts without a traceback, reads what it needs from SOAR and subscribes over stomp+ssl', () => {
    assert.doesNotMatch(rc.log, /Traceback| ERROR \[/, 'no traceback, no error');
    assert.ok(rc.lines.some((l) => l.includes(`Subscribed to message destination actions.${ORG.id}.${DESTINATION}`)), rc.log.slice(-3000));
    const failed = emu.requests.filter((r) => (r.status ?? 0) >= 400).map((r) => `${r.method} ${r.path} -> ${r.status}`);
    assert.deepEqual(failed, [], 'every REST call IBM\'s client made at start succeeded');
    assert.ok(emu.requestsTo('GET', `/rest/orgs/${ORG.id}`).length > 0, 'it read the org');
    assert.ok(emu.requestsTo('GET', '/connectors/queues').length > 0, 'it asked for connector queues');
  });

  test('answers a menu item\'s workflow: the workflow completes with its results', async () => {
    const inst = await runMenuItem('hello from the menu');
    assert.equal(inst.status, 'completed', String(inst.error));
    assert.deepEqual(inst.steps.map((s) => [s.function, s.status, s.replyType]), [[FUNCTION, 'completed', 0]]);
    const ping = inst.results['ping'] as JsonObject;
    assert.equal(ping['success'], true);
    assert.deepEqual(ping['content'], { pong: true, echo: 'hello from the menu' });
    assert.doesNotMatch(rc.log, /Traceback/);
  });

  test('its REST probe: every call a typical IBM app makes succeeds', async () => {
    emu.clearRequests();
    const inst = await runMenuItem('rest');
    assert.equal(inst.status, 'completed', String(inst.error));
    const content = (inst.results['ping'] as JsonObject)['content'] as JsonObject;
    const calls = content['rest'] as JsonObject[];
    assert.ok(Array.isArray(calls) && calls.length >= 15, JSON.stringify(content));
    const failed = calls.filter((c) => c['ok'] !== true);
    assert.deepEqual(failed, [], 'every probe call succeeded');
    const refused = emu.requests.filter((r) => (r.status ?? 0) >= 400).map((r) => `${r.method} ${r.path} -> ${r.status}`);
    assert.deepEqual(refused, [], 'no REST call was refused (and so none retried)');
    for (const [method, path] of [['PATCH', /^\/rest\/orgs\/\d+\/incidents\/\d+$/], ['GET', /\/attachments\/\d+$/], ['GET', /\/attachments\/\d+\/contents$/]] as const) {
      assert.ok(emu.requestsTo(method, path).length > 0, `the probe called ${method} ${String(path)}`);
    }
    const inc = (await rest('GET', `/incidents/${incidentId}`)).body as JsonObject;
    assert.equal(inc['description'], 'put by rc get_put', 'the PATCH, then the get_put, changed the incident');
    assert.doesNotMatch(rc.log, /Traceback/);
  });

  test('its error path reaches SOAR as message_type 1 and the workflow fails with the message', async () => {
    const inst = await runMenuItem('fail');
    assert.equal(inst.status, 'failed');
    assert.deepEqual(inst.steps.map((s) => [s.function, s.status, s.replyType]), [[FUNCTION, 'failed', 1]]);
    assert.match(String(inst.error), /clearing_ping was asked to fail/);
    // still serving afterwards
    const again = await runMenuItem('after the failure');
    assert.equal(again.status, 'completed', String(again.error));
  });
});
