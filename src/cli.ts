#!/usr/bin/env node
/**
 * soar-clearing command line. Every failure ends in one clear message and an exit code:
 * 0 ok, 1 runtime failure, 2 bad usage or bad configuration, 3 SOAR refused us (auth, org).
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { describeConfig, loadConfig, secretsOf } from './config/index.js';
import type { AppConfig } from './config/types.js';
import { ClearingError, ConfigError, ErrorCode } from './errors.js';
import { createLogger } from './logger.js';
import { ClearingNode } from './node.js';
import { functions } from '../functions/index.js';
import { PACKAGE_VERSION } from './version.js';

export const ExitCode = { Ok: 0, Failure: 1, Usage: 2, SoarRefused: 3 } as const;

interface GlobalArgs {
  config?: string | undefined;
}

function load(args: GlobalArgs): AppConfig {
  return loadConfig({ path: args.config, env: process.env, cwd: process.cwd() });
}

function exitCodeFor(err: ClearingError): number {
  if (err instanceof ConfigError) return ExitCode.Usage;
  if (err.code === ErrorCode.SoarAuth || err.code === ErrorCode.SoarOrg) return ExitCode.SoarRefused;
  return ExitCode.Failure;
}

async function run(args: GlobalArgs): Promise<number> {
  const config = load(args);
  const log = createLogger({ ...config.logging, secrets: secretsOf(config) });
  const node = new ClearingNode(config, functions, log);
  let stopping: Promise<void> | null = null;
  const done = new Promise<number>((resolve) => {
    const shutdown = (signal: string): void => {
      if (stopping) {
        log.warn(`${signal} again: exiting now`);
        resolve(ExitCode.Failure);
        return;
      }
      log.info(`${signal} received: stopping (grace ${config.worker.shutdown_grace_ms} ms)`);
      stopping = node.stop().then(() => resolve(ExitCode.Ok));
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  });
  log.info(`soar-clearing ${PACKAGE_VERSION} (${config.source})`);
  try {
    await node.start();
  } catch (err) {
    const error = ClearingError.from(err);
    log.error(`cannot start: ${error.message}`, { code: error.code });
    await node.stop();
    return exitCodeFor(error);
  }
  return done;
}

export async function main(argv: string[]): Promise<number> {
  let result: Promise<number> = Promise.resolve(ExitCode.Ok);
  const parser = yargs()
    .scriptName('soar-clearing')
    .usage('$0 <command> [options]\n\nClearing network for IBM SOAR: a function worker for SOAR workflows and a clearing node for sharing incidents across SOAR brands.')
    .option('config', {
      alias: 'c',
      type: 'string',
      describe: 'Path of app.config.yaml (default: $APP_CONFIG_FILE, then ./app.config.yaml)',
    })
    .command('run', 'Run the node: connect to each brand\'s SOAR and broker and serve its functions until SIGTERM/SIGINT', {}, (a) => {
      result = run(a as GlobalArgs);
    })
    .command('config', 'Work with the configuration file', (y) =>
      y
        .command('validate', 'Check the configuration file and print it with secrets hidden (exit 2 when invalid)', {}, (a) => {
          const config = load(a as GlobalArgs);
          process.stdout.write(`${JSON.stringify(describeConfig(config), null, 2)}\nconfiguration OK: ${config.source}\n`);
        })
        .demandCommand(1, 'Name a config subcommand (validate).'), () => undefined)
    .demandCommand(1, 'Name a command; see --help.')
    .strict()
    .recommendCommands()
    .version(PACKAGE_VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`${msg}\nRun 'soar-clearing --help' for usage.\n`);
      result = Promise.resolve(ExitCode.Usage);
    });
  try {
    await parser.parseAsync(argv);
    return await result;
  } catch (err) {
    const error = ClearingError.from(err);
    const prefix = error.code === ErrorCode.ConfigInvalid ? 'invalid configuration: ' : 'error: ';
    process.stderr.write(`${prefix}${error.message}\n`);
    return exitCodeFor(error);
  }
}

main(hideBin(process.argv)).then((code) => process.exit(code));
