/**
 * soar-clearing command line. Every failure ends in one clear message and an exit code:
 * 0 ok, 1 runtime failure, 2 bad usage or bad configuration, 3 SOAR refused us (auth, org);
 * `selftest` has its own codes (10-14, app/selftest.ts); `run` exits 34 when
 * worker.exit_after_broker_down_s passes (resilient-circuits' code for the same).
 */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import yargs from 'yargs';
import { describeConfig, loadConfig, secretsOf } from '../config/index.js';
import type { AppConfig } from '../config/types.js';
import { ClearingError, ConfigError, ErrorCode } from '../core/errors.js';
import { type LogLevel, chooseLevel, createLogger } from '../core/logger.js';
import type { Logger } from '../core/types.js';
import { PACKAGE_VERSION } from '../core/version.js';
import type { FunctionDefinition } from '../worker/function.js';
import { pkiCommand } from './pki-cli.js';

// Each command imports what only it needs when it runs (customization, selftest, the node and
// its functions): a long-running `run` keeps no unused module in its memory.

const ExitCode = { Ok: 0, Failure: 1, Usage: 2, SoarRefused: 3, BrokerDown: 34 } as const;

interface GlobalArgs {
  config?: string | undefined;
  logLevel?: string | undefined;
}

function load(args: GlobalArgs): AppConfig {
  return loadConfig({ path: args.config, env: process.env, cwd: process.cwd() });
}

/**
 * The command's logger (core/logger.ts: level and format rules). `quiet`: the level of a
 * command whose standard output is a report; it logs to standard error.
 */
function loggerFor(config: AppConfig, args: GlobalArgs, quiet?: LogLevel): Logger {
  return createLogger({
    ...config.logging,
    level: chooseLevel({ flag: args.logLevel, env: process.env['LOG_LEVEL'], command: quiet, file: config.logging.level }),
    secrets: secretsOf(config),
    ...(quiet !== undefined ? { console: 'stderr' as const } : {}),
  });
}

function exitCodeFor(err: ClearingError): number {
  if (err instanceof ConfigError || err.code === ErrorCode.Usage) return ExitCode.Usage;
  if (err.code === ErrorCode.SoarAuth || err.code === ErrorCode.SoarOrg) return ExitCode.SoarRefused;
  return ExitCode.Failure;
}

async function run(args: GlobalArgs, program: Program): Promise<number> {
  const config = load(args);
  const log = loggerFor(config, args);
  const [{ ClearingNode }, { functions }] = await Promise.all([import('./node.js'), program.functions()]);
  let brokerDown: () => void = () => undefined;
  const node = new ClearingNode(config, functions, log, { onBrokerDown: () => brokerDown() });
  let stopping: Promise<void> | null = null;
  const done = new Promise<number>((resolve) => {
    const shutdown = (signal: string): void => {
      if (stopping) {
        log.warn(`${signal} again: exiting now`);
        resolve(ExitCode.Failure);
        return;
      }
      log.info(`${signal} received: stopping (grace ${config.worker.shutdown_grace_ms} ms)`);
      stopping = node.stop(`${signal} received`).then(() => resolve(ExitCode.Ok));
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    brokerDown = () => {
      stopping ??= node.stop('broker unreachable (worker.exit_after_broker_down_s)').then(() => resolve(ExitCode.BrokerDown), () => resolve(ExitCode.BrokerDown));
    };
  });
  log.info(`soar-clearing ${PACKAGE_VERSION} (${config.source})`);
  try {
    await node.start();
  } catch (err) {
    const error = ClearingError.from(err);
    log.error(`cannot start: ${error.message}`, { code: error.code });
    await node.stop('start failed');
    return exitCodeFor(error);
  }
  return done;
}

interface BrandArgs extends GlobalArgs {
  brand?: string | undefined;
}

function brandsOf(config: AppConfig, args: BrandArgs): AppConfig['brands'] {
  if (!args.brand) return config.brands;
  const brand = config.brands.find((b) => b.id === args.brand);
  if (!brand) throw new ConfigError(config.source, [`--brand ${args.brand}: no such brand (configured: ${config.brands.map((b) => b.id).join(', ')})`]);
  return [brand];
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new ClearingError(ErrorCode.Usage, 'refusing to change SOAR without confirmation: stdin is not a terminal; add --yes');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function customize(args: BrandArgs & { yes?: boolean; export?: string | undefined }): Promise<number> {
  const { buildExport, customization, serializeExport } = await import('../../customize/build.js');
  const exportRes = buildExport();
  if (args.export) {
    writeFileSync(args.export, serializeExport(exportRes));
    process.stdout.write(`wrote ${args.export}\n`);
    return ExitCode.Ok;
  }
  const config = load(args);
  const log = loggerFor(config, args, 'warn');
  const brands = brandsOf(config, args);
  const targets = brands.map((b) => `${b.id} (${b.soar.host}:${b.soar.port}, org '${b.soar.org}')`).join(', ');
  process.stdout.write(`Installs ${customization.functions.length} functions, ${customization.rules.length} rules, the datatable and fields of soar-clearing into: ${targets}\n`);
  if (!args.yes && !(await confirm('Go ahead?'))) {
    process.stdout.write('nothing changed\n');
    return ExitCode.Ok;
  }
  const [{ SoarClient }, { installCustomization }] = await Promise.all([import('../soar/client.js'), import('./customize.js')]);
  for (const brand of brands) {
    const soar = await SoarClient.connect(brand.soar, { logger: log });
    try {
      process.stdout.write(`brand ${brand.id}: importing into org '${soar.org.name}' (${soar.orgId})\n`);
      const report = await installCustomization(soar, exportRes, customization.destination, log);
      process.stdout.write(`  import ${report.import.id}: ${report.import.status}\n`);
      for (const m of report.import.messages) process.stdout.write(`  SOAR: ${m}\n`);
      const d = report.destination;
      process.stdout.write(`  message destination ${d.name}: ${d.who} ${d.access === 'granted' ? 'granted access' : 'already allowed'}`
        + `${d.restored > 0 ? `; ${d.restored} other entries the import removed put back` : ''}\n`);
    } finally {
      await soar.close();
    }
  }
  process.stdout.write(`done; check with: soar-clearing selftest${args.config ? ` --config ${args.config}` : ''}\n`);
  return ExitCode.Ok;
}

async function selftest(args: BrandArgs & { json?: boolean }, program: Program): Promise<number> {
  const config = load(args);
  const log = loggerFor(config, args, 'error');
  const [{ customization }, { functions }, { exitCodeOf, formatCertificates, formatSelftest, selftestBrand }] = await Promise.all([
    import('../../customize/build.js'), program.functions(), import('./selftest.js'),
  ]);
  const results = [];
  for (const brand of brandsOf(config, args)) results.push(await selftestBrand(brand, customization, functions, log));
  const { certificatesExpiry } = await import('../config/cert-expiry.js');
  const certificates = certificatesExpiry(config);
  const code = exitCodeOf(results, certificates);
  process.stdout.write(args.json
    ? `${JSON.stringify({ ok: code === 0, brands: results, certificates }, null, 2)}\n`
    : `${formatSelftest(results)}${formatCertificates(certificates)}`);
  return code;
}

/** The command line's arguments failed yargs' validation (message: yargs' own words). */
class UsageFailure extends Error {}

/** What the command line serves: the SOAR functions, loaded only by the commands that use them. */
export interface Program {
  functions(): Promise<{ readonly functions: readonly FunctionDefinition[] }>;
}

export async function main(argv: string[], program: Program): Promise<number> {
  let result: Promise<number> = Promise.resolve(ExitCode.Ok);
  const parser = yargs()
    .scriptName('soar-clearing')
    .usage('$0 <command> [options]\n\nClearing network for IBM SOAR: a function worker for SOAR workflows and a clearing node for sharing incidents across SOAR brands.')
    .option('config', {
      alias: 'c',
      type: 'string',
      describe: 'Path of app.config.yaml (default: $APP_CONFIG_FILE, then ./app.config.yaml)',
    })
    .option('log-level', {
      type: 'string',
      choices: ['error', 'warn', 'info', 'debug'],
      describe: 'Log level, over $LOG_LEVEL and the configuration\'s logging.level',
    })
    .command('run', 'Run the node: connect to each brand\'s SOAR and broker and serve its functions until SIGTERM/SIGINT', {}, (a) => {
      result = run(a as GlobalArgs, program);
    })
    .command('customize', 'Install the app\'s functions, rules, datatable, fields, task and workflows into each brand\'s SOAR (import API), and let the configured API key use the message destination', (y) =>
      y
        .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation (for scripts)' })
        .option('export', { type: 'string', describe: 'Write the export.res to FILE instead of contacting SOAR' })
        .option('brand', { type: 'string', describe: 'Only this brand (default: every configured brand)' }), (a) => {
      result = customize(a as BrandArgs & { yes: boolean; export?: string });
    })
    .command('selftest', 'Check each brand: REST login and org, STOMP connect and subscribe, customization installed, each function\'s own check. Then the configured certificates (warns 30 days before one expires). Exit 0 ok, 10 REST, 11 STOMP, 12 customization, 13 a function, 14 a certificate expired or unreadable', (y) =>
      y
        .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON' })
        .option('brand', { type: 'string', describe: 'Only this brand (default: every configured brand)' }), (a) => {
      result = selftest(a as BrandArgs & { json: boolean }, program);
    })
    .command('health', 'Ask the running node\'s admin listener (config admin:) whether it is ready: every brand\'s SOAR and broker connected, every peer answering. For a container HEALTHCHECK and scripts. Exit 0 ready, 1 not ready or no answer, 2 no admin: section', (y) =>
      y
        .option('live', { type: 'boolean', default: false, describe: 'Only ask whether the process is alive (/healthz) instead of ready (/readyz)' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the listener\'s JSON answer' })
        .option('timeout', { type: 'number', default: 10, describe: 'Seconds to wait for the answer' }), (a) => {
      const o = a as GlobalArgs & { live: boolean; json: boolean; timeout: number };
      const config = load(o);
      result = import('./health-cli.js').then((m) => m.healthCommand(config, { live: o.live, json: o.json, timeoutMs: Math.max(1, o.timeout) * 1000 }));
    })
    .command('config', 'Work with the configuration file', (y) =>
      y
        .command('validate', 'Check the configuration file and print it with secrets hidden (exit 2 when invalid)', {}, (a) => {
          const config = load(a as GlobalArgs);
          process.stdout.write(`${JSON.stringify(describeConfig(config), null, 2)}\nconfiguration OK: ${config.source}\n`);
        })
        .command('push', 'On the primary node: push the reference brand\'s SOAR configuration (the parts chosen in network.config_push; never users or API keys) to every other node, which imports it into its brands. Exit 0 when no brand failed, 1 otherwise', (p) =>
          p
            .option('reason', { type: 'string', demandOption: true, describe: 'Why the configuration is pushed (logged on every node)' })
            .option('dry-run', { type: 'boolean', default: false, describe: 'Only show per brand what would be added or changed; change nothing' })
            .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation (for scripts)' })
            .option('json', { type: 'boolean', default: false, describe: 'Print the push report as JSON (progress goes to stderr)' }), (a) => {
          const o = a as GlobalArgs & { reason: string; dryRun: boolean; yes: boolean; json: boolean };
          const config = load(o);
          result = import('./config-push-cli.js').then((m) => m.configPushCommand(config, loggerFor(config, o, 'warn'), { reason: o.reason, dryRun: o.dryRun, yes: o.yes, json: o.json, confirm }));
        })
        .demandCommand(1, 'Name a config subcommand (validate, push).'), () => undefined)
    .command('pki', 'The network\'s certificates: make its CA (pki init), issue a node\'s certificate (pki issue), show what a certificate says (pki show)', (y) =>
      pkiCommand(y, (r) => {
        result = r;
      }), () => undefined)
    .command('network', 'Look at the clearing network from this node', (y) =>
      y
        .command('check', 'Ask every configured peer its health over the peer API (mutual TLS): reachable, the node its certificate names, version and protocol, clock skew, latency, the brands it serves against the configuration. Prints a table; exit 0 when no peer has a problem, 1 otherwise', (c) =>
          c
            .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON' })
            .option('max-skew-s', { type: 'number', default: 5, describe: 'A peer whose clock differs from ours by more than this many seconds is a problem' })
            .option('timeout-s', { type: 'number', describe: 'Time each peer may take to answer (default: network.timeout_s)' }), (a) => {
          const o = a as GlobalArgs & { json: boolean; maxSkewS: number; timeoutS?: number };
          for (const [name, value] of [['--max-skew-s', o.maxSkewS], ['--timeout-s', o.timeoutS]] as const) {
            if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new ClearingError(ErrorCode.Usage, `${name}: must be a number of seconds above 0`);
          }
          const config = load(o);
          result = import('./network-check.js').then((m) => m.networkCheckCommand(config, loggerFor(config, o, 'error'), {
            json: o.json, maxSkewMs: o.maxSkewS * 1000, ...(o.timeoutS !== undefined ? { timeoutMs: o.timeoutS * 1000 } : {}),
          }));
        })
        .demandCommand(1, 'Name a network subcommand (check).'), () => undefined)
    .demandCommand(1, 'Name a command; see --help.')
    .strict()
    .recommendCommands()
    .version(PACKAGE_VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      // Thrown, not returned: yargs would otherwise go on and run the command's handler with
      // the arguments it just refused.
      throw new UsageFailure(msg);
    });
  try {
    await parser.parseAsync(argv);
    return await result;
  } catch (err) {
    if (err instanceof UsageFailure) {
      process.stderr.write(`${err.message}\nRun 'soar-clearing --help' for usage.\n`);
      return ExitCode.Usage;
    }
    const error = ClearingError.from(err);
    const prefix = error.code === ErrorCode.ConfigInvalid ? 'invalid configuration: ' : 'error: ';
    process.stderr.write(`${prefix}${error.message}\n`);
    return exitCodeFor(error);
  }
}

