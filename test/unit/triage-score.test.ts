/**
 * The priority score from config: the use-case document's worked examples (5 and 6 and their
 * order; one asset scoring 6 against several desktops scoring 3, with and without a residual
 * rule), asset matching (host name patterns, CIDRs, incident fields), consequence severities,
 * and the config section's validation.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/core/errors.js';
import type { TriageConfig } from '../../src/config/types.js';
import { type IncidentFacts, matchAssets } from '../../src/triage/assets.js';
import { assessPriority, comparePriority, consequenceOf, explain, NO_ASSET, type PriorityAssessment } from '../../src/triage/score.js';

const BASE = `
node: { id: eu }
brand_id: soar2
soar: { host: soar.example, org: Example, api_key_id: id, api_key_secret: secret }
`;

function triage(yaml: string): TriageConfig {
  return parseConfig(`${BASE}triage:\n${yaml}`, { source: '/nowhere/app.config.yaml', env: {} }).triage;
}

function problems(yaml: string): string[] {
  try {
    triage(yaml);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

/** The document's assets: Asset 1 (operations 3, security 3), a finance server (ops 3, security 2), desktops (1/1). */
const ASSETS = `
  assets:
    asset-1:
      hostnames: [asset1.example]
      ips: [10.1.0.0/16]
      operations: 3
      security: 3
      business_impact: /All Asset/Business Impact/Analysis/Business Role/Revenue
    finance-server:
      hostnames: [fin-*.example]
      operations: 3
      security: 2
    desktops:
      ips: [192.168.0.0/16]
      group: true
      operations: 1
      security: 1
`;
const CONSEQUENCE = `  consequence:
    default: marginal
    incident_types: { Malware: critical, Lost device: 1 }
    rules: { Ransomware Detected: catastrophic }
    rule_field: properties.siem_rule
`;
const DOCUMENT = ASSETS + CONSEQUENCE;

function facts(artifacts: readonly [string, string][], incident: IncidentFacts['incident'] = {}): IncidentFacts {
  return { incident, artifacts: artifacts.map(([type, value]) => ({ type, value })) };
}

function assess(cfg: TriageConfig, f: IncidentFacts, types: string[] = []): PriorityAssessment {
  const rule = typeof f.incident['properties'] === 'object' && f.incident['properties'] !== null && !Array.isArray(f.incident['properties'])
    ? (f.incident['properties']['siem_rule'] as string | undefined) ?? null
    : null;
  return assessPriority(cfg, matchAssets(cfg.assets, f), consequenceOf(cfg, types, rule));
}

const desktops = (n: number): [string, string][] => Array.from({ length: n }, (_, i) => ['IP Address', `192.168.1.${i + 1}`]);

describe('the document\'s worked examples', () => {
  const cfg = triage(DOCUMENT);

  test('impact 3 + classification 2 = 5; impact 3 + classification 3 = 6; the 6 goes first', () => {
    const five = assess(cfg, facts([['DNS Name', 'fin-01.example']]));
    const six = assess(cfg, facts([['IP Address', '10.1.2.3']]));
    assert.equal(five.score, 5);
    assert.equal(five.top.impact, 3);
    assert.equal(five.top.security, 2);
    assert.equal(six.score, 6);
    assert.equal(six.top.impact, 3);
    assert.equal(six.top.security, 3);
    const order = [{ id: 1, assessment: five }, { id: 2, assessment: six }].sort(comparePriority);
    assert.deepEqual(order.map((o) => o.id), [2, 1]);
  });

  test('Asset 1 vs several desktops: the one asset scoring 6 outranks any number of desktops scoring 3', () => {
    const asset1 = assess(cfg, facts([['System Name', 'ASSET1.example']]));
    const crowd = assess(cfg, facts(desktops(12)));
    assert.equal(asset1.score, 6);
    assert.equal(crowd.top.score, 3);
    assert.equal(crowd.score, 3, 'no residual rule: further desktops add nothing');
    assert.deepEqual([{ id: 7, assessment: crowd }, { id: 8, assessment: asset1 }].sort(comparePriority).map((o) => o.id), [8, 7]);
  });

  test('unless the residual rule says how many add up', () => {
    // Every 2 further desktops add 1, at most 4: 9 desktops = 3 + min(floor(8 / 2), 4) = 7 > 6.
    const generous = triage(`${DOCUMENT}  residual: { count: 2, adds: 1, max_adds: 4 }\n`);
    const asset1 = assess(generous, facts([['IP Address', '10.1.0.9']]));
    const crowd = assess(generous, facts(desktops(9)));
    assert.equal(crowd.score, 7);
    assert.equal(crowd.residual, 4);
    assert.deepEqual([{ id: 8, assessment: asset1 }, { id: 7, assessment: crowd }].sort(comparePriority).map((o) => o.id), [7, 8]);

    // The default cap (max_adds = adds): a crowd lifts its incident one step and no more.
    const capped = triage(`${DOCUMENT}  residual: { count: 3, adds: 1 }\n`);
    assert.equal(assess(capped, facts(desktops(2))).score, 3, '1 further desktop: below the count');
    assert.equal(assess(capped, facts(desktops(4))).score, 4, '3 further desktops add 1');
    assert.equal(assess(capped, facts(desktops(40))).score, 4, 'capped at max_adds');
    // A tie goes to the higher single asset: 7 desktops = 3 + 3 = 6, like Asset 1 alone.
    const tie = assess(generous, facts(desktops(7)));
    assert.equal(tie.score, 6);
    assert.deepEqual([{ id: 1, assessment: tie }, { id: 2, assessment: asset1 }].sort(comparePriority).map((o) => o.id), [2, 1]);
  });
});

describe('scoring details', () => {
  const cfg = triage(DOCUMENT);

  test('the consequence: the highest of incident types and rule, by name, else the default', () => {
    assert.deepEqual(consequenceOf(cfg, ['Malware'], null), { severity: 3, source: 'incident type Malware' });
    assert.deepEqual(consequenceOf(cfg, ['malware'], 'Ransomware detected'), { severity: 4, source: 'rule Ransomware detected' });
    assert.deepEqual(consequenceOf(cfg, ['Phishing'], null), { severity: 2, source: 'the default' });
    // A catastrophic rule makes every asset's impact 4: desktops score 4 + 1 = 5.
    const ransomware = assess(cfg, facts(desktops(1), { properties: { siem_rule: 'Ransomware Detected' } }));
    assert.equal(ransomware.score, 5);
    assert.match(explain(cfg, ransomware), /consequence severity 4 \(catastrophic\) from rule Ransomware Detected/);
  });

  test('assets match by host name pattern, IP range and incident field; each asset once, with its evidence', () => {
    const withField = triage(`${ASSETS}    plant:\n      fields: { properties.site: [Plant A], severity_code: [High] }\n      operations: 4\n      security: 1\n${CONSEQUENCE}`);
    const m = matchAssets(withField.assets, facts([['IP Address', '10.1.9.9'], ['DNS Name', 'asset1.example'], ['IP Address', 'not-an-ip']], { properties: { site: 'plant a' } }));
    assert.deepEqual(m.map((x) => x.asset.name), ['asset-1', 'plant']);
    assert.deepEqual(m[0]!.evidence, ['artifact IP Address 10.1.9.9 in 10.1.0.0/16', 'artifact DNS Name asset1.example matches host name asset1.example']);
    assert.deepEqual(m[1]!.evidence, ['field properties.site is Plant A']);
    const p = assessPriority(withField, m, consequenceOf(withField, [], null));
    assert.deepEqual([p.top.asset, p.top.score, p.others[0]!.score], ['asset-1', 6, 5], 'max(3, 2) + 3 = 6 beats max(4, 2) + 1 = 5');
  });

  test('no configured asset: the default asset stands in and the explanation says so', () => {
    const p = assess(cfg, facts([['IP Address', '203.0.113.5']]), []);
    assert.equal(p.top.asset, NO_ASSET);
    assert.equal(p.score, 3, 'max(1, marginal 2) + 1');
    const text = explain(cfg, p);
    assert.match(text, /^priority score 3 = top asset 3 \(\(no configured asset\)\) \+ residual 0$/m);
    assert.match(text, /triage\.default_asset stands in/);
  });

  test('the explanation names the asset, its factors and its business impact', () => {
    const text = explain(cfg, assess(cfg, facts([['IP Address', '10.1.2.3'], ['IP Address', '192.168.4.4']]), ['Malware']));
    assert.deepEqual(text.split('\n').slice(0, 3), [
      'priority score 6 = top asset 6 (asset-1) + residual 0',
      'consequence severity 3 (critical) from incident type Malware',
      'asset asset-1: score 6 = impact 3 (max of operations classification 3 and consequence 3) + security classification 3; ' +
        'business impact /All Asset/Business Impact/Analysis/Business Role/Revenue; artifact IP Address 10.1.2.3 in 10.1.0.0/16',
    ]);
    assert.match(text, /^asset desktops 192.168.4.4: score 4 = impact 3/m);
  });
});

describe('the triage config section', () => {
  test('absent: every default', () => {
    const cfg = triage('  {}\n');
    assert.deepEqual(cfg.assets, []);
    assert.deepEqual(cfg.default_asset, { operations: 1, security: 1 });
    assert.equal(cfg.consequence.default, 2);
    assert.equal(cfg.residual, null);
    assert.equal(cfg.ack_timeout_ms, 24 * 3_600_000);
    assert.equal(cfg.sweep_interval_ms, 60_000);
    assert.deepEqual(cfg.thresholds, []);
    const none = parseConfig(BASE, { source: '/nowhere/app.config.yaml', env: {} }).triage;
    assert.equal(none.ack_timeout_ms, 24 * 3_600_000);
  });

  test('problems are reported with YAML paths', () => {
    const found = problems(`
  assets:
    a: { ips: [10.0.0.0/33, 10.0.0.1], operations: 5, security: 1 }
    b: { operations: 1, security: 1 }
  consequence: { default: dreadful }
  residual: { count: 3, adds: 2, max_adds: 1 }
  thresholds:
    - { name: t1, score_at_least: 6, distribute_to: [soar9] }
    - { name: t1, distribute_to: [soar2], mode: sometimes }
`);
    assert.deepEqual(found.sort(), [
      'triage.assets.a.ips[0]: not an IP address or CIDR: 10.0.0.0/33',
      'triage.assets.a.operations: must be <= 4',
      'triage.assets.b: needs at least one of hostnames, ips or fields (else it never matches)',
      'triage.consequence.default: must be one of 1, 2, 3, 4, marginal, critical, catastrophic',
      'triage.residual.max_adds: must be at least adds (2)',
      'triage.thresholds[0].distribute_to[0]: soar9 is not a brand of the network (known: soar2)',
      'triage.thresholds[1].mode: must be one of first, subsequent, every',
      'triage.thresholds[1].name: t1 is also the name of an earlier threshold',
      'triage.thresholds[1]: needs exactly one of score_at_least or shared_artifact',
    ].sort());
  });

  test('the commented-out example in the shipped app.config.yaml is valid', () => {
    const text = readFileSync(fileURLToPath(new URL('../../../app.config.yaml', import.meta.url)), 'utf8');
    const start = text.indexOf('\n# triage:\n') + 1;
    const block = text.slice(start, text.indexOf('\n\n', start)).split('\n').map((l) => l.replace(/^# ?/, '')).join('\n');
    // Without a network here, the example's brand soar3 is unknown: name this node's own.
    const cfg = parseConfig(`${BASE}${block.replaceAll('[soar3]', '[soar2]')}\n`, { source: '/nowhere/app.config.yaml', env: {} });
    assert.equal(cfg.triage.assets[0]?.name, 'asset-1');
    assert.equal(cfg.triage.thresholds.length, 2);
  });
});
