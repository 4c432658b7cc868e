/**
 * clearing_assess_priority: the incident's priority score (menu item "Clearing: assess priority").
 *
 * Computes the score from the node's `triage:` config (formula in src/triage/score.ts: per
 * matched asset max(operations classification, consequence severity) + security
 * classification; the incident takes its highest asset, plus the residual rule), writes it and
 * its explanation into the incident fields "Clearing: priority score" and "Clearing: priority
 * explanation", then evaluates the distribution thresholds (src/triage/thresholds.ts): a score
 * threshold crossed by this assessment, and shared-artifact thresholds among the brand's recent
 * incidents, distribute as configured.
 *
 * Result: `{incident_id, score, top_asset, consequence, residual, assets, explanation, written,
 * thresholds}`; `thresholds` lists each crossing found with whether it fired and each
 * distribution's outcome.
 */
import { assessIncident, writeAssessment } from '../src/triage/assess.js';
import { applyScoreThresholds, applySharedArtifactThresholds, type ThresholdOutcome } from '../src/triage/triggers.js';
import { brandContext, defineFunction, incidentOnlyInputs } from './define.js';

export default defineFunction<{ incident_id: number }, {
  incident_id: number;
  score: number;
  top_asset: string;
  consequence: number;
  residual: number;
  assets: { asset: string; score: number }[];
  explanation: string;
  written: boolean;
  thresholds: ThresholdOutcome[];
}>({
  name: 'clearing_assess_priority',
  displayName: 'Clearing: Assess Priority',
  description: 'Computes the priority score of the incident from asset classification and rule consequence severity, writes it with its explanation, and applies the distribution thresholds.',
  inputSchema: incidentOnlyInputs,
  async handler({ incident_id: incidentId }, ctx) {
    const config = ctx.network.config.triage;
    const { incident, assessment, explanation } = await assessIncident(config, ctx.soar, incidentId, ctx.signal);
    const written = await writeAssessment(ctx.soar, incident, assessment.score, explanation, ctx.signal);
    await ctx.status(`priority score ${assessment.score} (top asset ${assessment.top.asset})`);
    const brand = brandContext(ctx);
    const thresholds = [
      // Unchanged by the write, the incident as read is still current (a PUT's answer is not relied on as a full incident).
      ...(await applyScoreThresholds(brand, config, incidentId, assessment.score, written === null ? incident : undefined)),
      ...(await applySharedArtifactThresholds(brand, config, Date.now())),
    ];
    if (thresholds.length > 0) await ctx.status(`thresholds crossed: ${thresholds.map((t) => `${t.threshold} #${t.crossing}${t.fired ? ' (fired)' : ''}`).join(', ')}`);
    return {
      incident_id: incidentId,
      score: assessment.score,
      top_asset: assessment.top.asset,
      consequence: assessment.consequence.severity,
      residual: assessment.residual,
      assets: [assessment.top, ...assessment.others].map((a) => ({ asset: a.asset, score: a.score })),
      explanation,
      written: written !== null,
      thresholds,
    };
  },
});
