/**
 * The priority score of an incident: what to investigate first. Deterministic and pure.
 *
 * ## Formula
 *
 *   consequence C  = the highest consequence severity (1..4; marginal 2, critical 3,
 *                    catastrophic 4) configured for the incident's types or for its detection
 *                    rule (`triage.consequence.rule_field`); `consequence.default` when none is
 *                    configured for them.
 *   impact(a)      = max(operations classification of asset a, C): the worse of what the asset's
 *                    operations stand to lose and what the rule says the attack does.
 *   score(a)       = impact(a) + security classification of a          (2 .. 8)
 *   top            = the highest score(a) over the assets the incident concerns; when it
 *                    concerns no configured asset, `triage.default_asset` (1/1) stands in.
 *   residual       = with `triage.residual: {count: N, adds: A, max_adds: M}`: A for every N
 *                    further assets (every matched asset but the top one, whatever its score;
 *                    each member of a `group: true` asset such as desktops counts as one),
 *                    at most M in all (M defaults to A: a crowd of low assets lifts the incident
 *                    one step, no more). Without the rule: 0.
 *   incident score = top + residual.
 *
 * The document's examples: impact 3 + classification 2 = 5, impact 3 + classification 3 = 6, so
 * the 6 goes first. One asset scoring 6 outranks any number of desktops scoring 3 unless a
 * residual rule lets enough of them add up (e.g. `{count: 2, adds: 1, max_adds: 4}`: 9 desktops
 * score 3 + 4 = 7).
 *
 * Order (`comparePriority`): higher score first; on a tie, the higher top asset first (one high
 * asset beats a crowd that only caught up through the residual); then the lower incident id.
 */
import type { AssetRule, Severity, TriageConfig } from '../config/triage.js';
import type { AssetMatch } from './assets.js';

export interface ConsequenceFinding {
  readonly severity: Severity;
  /** Where it came from, e.g. `incident type Malware` or `the default`. */
  readonly source: string;
}

export interface AssetScore {
  /** Asset name (`desktops 192.168.1.7` for a member of a group); `(no configured asset)` for the default stand-in. */
  readonly asset: string;
  readonly operations: Severity;
  readonly security: Severity;
  readonly impact: number;
  readonly score: number;
  readonly businessImpact: string | null;
  readonly evidence: readonly string[];
}

export interface PriorityAssessment {
  readonly score: number;
  readonly consequence: ConsequenceFinding;
  /** The asset that sets the score. */
  readonly top: AssetScore;
  /** Every other matched asset, highest score first. */
  readonly others: readonly AssetScore[];
  readonly residual: number;
}

const SEVERITY_WORDS: Readonly<Record<number, string>> = { 1: 'minor', 2: 'marginal', 3: 'critical', 4: 'catastrophic' };
export const NO_ASSET = '(no configured asset)';

/**
 * The consequence severity: the highest configured for the incident's type names/ids or its
 * rule name (case-insensitive), else the default.
 */
export function consequenceOf(config: TriageConfig, typeNames: readonly string[], ruleName: string | null): ConsequenceFinding {
  const found: ConsequenceFinding[] = [];
  for (const t of typeNames) {
    const hit = config.consequence.incident_types.find((e) => e.name === t.toLowerCase());
    if (hit) found.push({ severity: hit.severity, source: `incident type ${t}` });
  }
  if (ruleName !== null) {
    const hit = config.consequence.rules.find((e) => e.name === ruleName.toLowerCase());
    if (hit) found.push({ severity: hit.severity, source: `rule ${ruleName}` });
  }
  // Highest first; the first found wins a tie (types before the rule), so the result is stable.
  const best = found.reduce<ConsequenceFinding | null>((b, f) => (b === null || f.severity > b.severity ? f : b), null);
  return best ?? { severity: config.consequence.default, source: 'the default' };
}

function assetScore(asset: Pick<AssetRule, 'name' | 'operations' | 'security' | 'business_impact'>, consequence: Severity, evidence: readonly string[]): AssetScore {
  const impact = Math.max(asset.operations, consequence);
  return {
    asset: asset.name,
    operations: asset.operations,
    security: asset.security,
    impact,
    score: impact + asset.security,
    businessImpact: asset.business_impact,
    evidence,
  };
}

function residualOf(config: TriageConfig, furtherAssets: number): number {
  const rule = config.residual;
  if (rule === null) return 0;
  return Math.min(rule.adds * Math.floor(furtherAssets / rule.count), rule.max_adds);
}

/** The incident's score from its matched assets and consequence severity. */
export function assessPriority(config: TriageConfig, matches: readonly AssetMatch[], consequence: ConsequenceFinding): PriorityAssessment {
  const scored = matches.map((m) => assetScore({ ...m.asset, name: m.member === null ? m.asset.name : `${m.asset.name} ${m.member}` }, consequence.severity, m.evidence));
  if (scored.length === 0) {
    scored.push(assetScore({ name: NO_ASSET, ...config.default_asset, business_impact: null }, consequence.severity, ['no configured asset matched: triage.default_asset stands in']));
  }
  // Highest score first; config order breaks ties (sort is stable).
  const ranked = [...scored].sort((a, b) => b.score - a.score);
  const [top, ...others] = ranked as [AssetScore, ...AssetScore[]];
  const residual = top.asset === NO_ASSET ? 0 : residualOf(config, others.length);
  return { score: top.score + residual, consequence, top, others, residual };
}

/** Ranking of incidents: negative when `a` goes first. */
export function comparePriority(a: { id: number; assessment: PriorityAssessment }, b: { id: number; assessment: PriorityAssessment }): number {
  return b.assessment.score - a.assessment.score || b.assessment.top.score - a.assessment.top.score || a.id - b.id;
}

function describeAsset(a: AssetScore, consequence: Severity): string {
  const parts = [
    `asset ${a.asset}: score ${a.score} = impact ${a.impact} (max of operations classification ${a.operations} and consequence ${consequence}) + security classification ${a.security}`,
  ];
  if (a.businessImpact !== null) parts.push(`business impact ${a.businessImpact}`);
  if (a.evidence.length > 0) parts.push(a.evidence.join('; '));
  return parts.join('; ');
}

/** The explanation written next to the score: one fact per line. */
export function explain(config: TriageConfig, p: PriorityAssessment): string {
  const c = p.consequence;
  const lines = [
    `priority score ${p.score} = top asset ${p.top.score} (${p.top.asset}) + residual ${p.residual}`,
    `consequence severity ${c.severity} (${SEVERITY_WORDS[c.severity]}) from ${c.source}`,
    describeAsset(p.top, c.severity),
    ...p.others.map((a) => describeAsset(a, c.severity)),
  ];
  const rule = config.residual;
  if (rule !== null && p.top.asset !== NO_ASSET) {
    lines.push(`residual: ${p.others.length} further asset(s), every ${rule.count} add ${rule.adds} (at most ${rule.max_adds}): +${p.residual}`);
  }
  return lines.join('\n');
}
