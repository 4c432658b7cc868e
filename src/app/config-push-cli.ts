/**
 * `soar-clearing config push`: the primary's configuration push from the command line. Shows
 * what would be pushed and to whom, asks (unless --yes or --dry-run), pushes with progress on
 * stderr, and prints each brand's result (or the report as JSON). Exit 0 when every brand
 * imported, was up to date or (dry run) was compared; 1 when any failed.
 */
import { prepareExport, pushConfiguration, type PushProgress } from '../clearing/config-push.js';
import { mib, objectSummary, reportLines } from '../clearing/config-push-report.js';
import { ClearingNetwork } from '../clearing/network.js';
import type { Logger } from '../core/types.js';
import type { AppConfig } from '../config/types.js';
import { SoarClient } from '../soar/client.js';

export interface ConfigPushArgs {
  readonly reason: string;
  readonly dryRun: boolean;
  readonly yes: boolean;
  readonly json: boolean;
  /** Asks the question on the terminal; false = no. */
  readonly confirm: (question: string) => Promise<boolean>;
}

function progressLine(p: PushProgress): string | null {
  switch (p.phase) {
    case 'begin':
      return `${p.node}: sending ${p.chunks} chunk(s)`;
    case 'chunk':
      return `${p.node}: chunk ${p.sent}/${p.chunks} sent`;
    case 'commit':
      return `${p.node}: all chunks sent; importing`;
    case 'done':
      return `${p.node}: answered`;
    default:
      return `${p.node}: failed`;
  }
}

export async function configPushCommand(config: AppConfig, log: Logger, args: ConfigPushArgs): Promise<number> {
  const network = new ClearingNetwork(config, log);
  const clients: SoarClient[] = [];
  try {
    for (const brand of config.brands) {
      const soar = await SoarClient.connect(brand.soar, { logger: log.child({ brand: brand.id }) });
      clients.push(soar);
      network.registerLocal(brand.id, soar);
    }
    const prepared = await prepareExport(network);
    const targets = [
      ...config.brands.filter((b) => b.id !== prepared.reference).map((b) => `${b.id} (this node)`),
      ...network.peerClients.map((p) => `${p.peer.brands.join(', ')} (node ${p.peer.id})`),
    ];
    const say = (line: string): boolean => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
    say(`${args.dryRun ? 'Dry run: compares' : 'Pushes'} the configuration of brand ${prepared.reference} (${objectSummary(prepared.counts as Record<string, number>)}; ` +
      `${mib(prepared.packed.manifest.json_bytes)}; ${prepared.stripped} user/API key reference(s) removed) ` +
      `${args.dryRun ? 'with' : 'to'}: ${targets.join(', ') || 'nobody (no other brand in the network)'}`);
    if (!args.dryRun && !args.yes && !(await args.confirm('Go ahead?'))) {
      say('nothing changed');
      return 0;
    }
    const report = await pushConfiguration(network, {
      reason: args.reason,
      dryRun: args.dryRun,
      log,
      prepared,
      onProgress: (p) => {
        const line = progressLine(p);
        if (line) process.stderr.write(`${line}\n`);
      },
    });
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${reportLines(report).join('\n')}\n`);
    return report.ok ? 0 : 1;
  } finally {
    network.close();
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  }
}
