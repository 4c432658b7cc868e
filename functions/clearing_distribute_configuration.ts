/**
 * clearing_distribute_configuration: on the primary node, pushes the reference brand's SOAR
 * configuration to every other node (menu item "Clearing: distribute configuration", run on
 * any incident). The push itself is src/clearing/config-push.ts; this module adds the SOAR side:
 * progress as status messages, the result as a note on the incident the menu item was used on,
 * and the report as the function's result.
 *
 * Refused (error reply) when this node is not the primary (`not_primary`) or another push is
 * running (`config_push_busy`). A push whose brands partly failed is no error: the result and
 * the note say which brands failed and why (`ok: false`).
 */
import { pushConfiguration, type PushReport } from '../src/clearing/config-push.js';
import { reportNoteHtml } from '../src/clearing/config-push-report.js';
import { ClearingError } from '../src/core/errors.js';
import { defineFunction } from './define.js';

type Inputs = { incident_id: number; clearing_reason: string; clearing_dry_run?: boolean | null };

export default defineFunction<Inputs, PushReport>({
  name: 'clearing_distribute_configuration',
  displayName: 'Clearing: Distribute Configuration',
  description: 'On the primary node: pushes the reference brand\'s SOAR configuration (never users or API keys) to every other node, which imports it into its brands.',
  inputSchema: {
    type: 'object',
    properties: {
      incident_id: { type: 'integer', minimum: 1 },
      clearing_reason: { type: 'string', minLength: 1, maxLength: 2000 },
      clearing_dry_run: { type: 'boolean', nullable: true },
    },
    required: ['incident_id', 'clearing_reason'],
    additionalProperties: false,
  },
  async handler({ incident_id: incidentId, clearing_reason: reason, clearing_dry_run: dryRun }, ctx) {
    const principal = ctx.invocation.principal;
    const who = principal ? ` (by ${principal})` : '';
    await ctx.status(`exporting the configuration${dryRun ? ' (dry run)' : ''}`);
    const report = await pushConfiguration(ctx.network, {
      reason: `${reason}${who}`,
      dryRun: dryRun === true,
      log: ctx.log,
      signal: ctx.signal,
      onProgress: (p) => {
        if (p.phase === 'commit') void ctx.status(`node ${p.node}: ${p.chunks} chunk(s) sent; importing`).catch(() => undefined);
      },
    });
    try {
      await ctx.soar.addNote(incidentId, reportNoteHtml(report), { signal: ctx.signal });
    } catch (err) {
      // The push happened: its result still reaches the workflow.
      ctx.log.warn(`could not write the push result as a note on incident ${incidentId}: ${ClearingError.from(err).message}`);
    }
    await ctx.status(`configuration push ${report.push_id}: ${report.ok ? 'ok' : 'failed for some brands'}`);
    return report;
  },
});
