#!/usr/bin/env node
/**
 * `npm run demo`: the simulator's entry point. The demo is part of the repository, not of the
 * installed package (it runs emulated SOARs and a private broker), so it has its own command
 * line instead of a subcommand of `soar-clearing`.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ClearingError, ErrorCode } from '../src/core/errors.js';

const Usage = 2;

export async function main(argv: string[]): Promise<number> {
  let result: Promise<number> = Promise.resolve(0);
  const parser = yargs()
    .scriptName('npm run demo --')
    .usage('$0 [options]\n\nStart a two-region clearing network on this machine (private ActiveMQ broker, two emulated SOARs, two clearing nodes with their web UIs, a sample incident) and keep it running until Ctrl-C; --smoke runs every flow once and exits 0 only when all passed.')
    .option('smoke', { type: 'boolean', default: false, describe: 'Run every flow once, print a step summary, stop (exit 0 only when all passed)' })
    .option('json', { type: 'boolean', default: false, describe: 'With --smoke: print the summary as JSON {ok, steps} (progress goes to stderr)' })
    .option('keep', { type: 'boolean', default: false, describe: 'With --smoke: keep the network running after the summary, until Ctrl-C' })
    .option('dir', { type: 'string', describe: 'Data directory (default: .demo in the repository; wiped at start)' })
    .strict()
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`${msg}\nRun 'npm run demo -- --help' for usage.\n`);
      result = Promise.resolve(Usage);
    });
  try {
    const o = (await parser.parseAsync(argv)) as { smoke: boolean; json: boolean; keep: boolean; dir?: string; help?: boolean };
    const refused = await result; // set by .fail() on bad usage
    if (refused !== 0 || o.help) return refused;
    if ((o.json || o.keep) && !o.smoke) throw new ClearingError(ErrorCode.Usage, '--json and --keep go with --smoke');
    const { runDemo } = await import('./demo.js');
    return await runDemo({ smoke: o.smoke, json: o.json, keep: o.keep, ...(o.dir ? { dir: o.dir } : {}) });
  } catch (err) {
    const error = ClearingError.from(err);
    process.stderr.write(`error: ${error.message}\n`);
    return error.code === ErrorCode.Usage ? Usage : 1;
  }
}

main(hideBin(process.argv)).then((code) => process.exit(code));
