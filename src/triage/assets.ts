/**
 * Which configured assets an incident concerns: its artifacts' values are matched against each
 * asset's host name patterns and IP ranges, its fields against the asset's field values. An
 * asset matched several ways counts once, with every piece of evidence kept for the explanation.
 */
import { BlockList, isIP } from 'node:net';
import type { JsonValue } from '../core/types.js';
import type { AssetRule } from '../config/triage.js';

/** What the matching reads of an incident. */
export interface IncidentFacts {
  /** The incident as SOAR answers it (built-in fields at the top, custom ones under `properties`). */
  readonly incident: { readonly [key: string]: JsonValue | undefined };
  /** The same incident read with `handle_format=names` (handles as names), when read. */
  readonly named?: { readonly [key: string]: JsonValue | undefined };
  readonly artifacts: readonly { readonly type: string; readonly value: string }[];
}

export interface AssetMatch {
  readonly asset: AssetRule;
  /** For a group asset: the artifact value that is this member; null for a single asset. */
  readonly member: string | null;
  /** Why it matched, e.g. `artifact IP Address 10.1.2.3 in 10.1.0.0/16`. */
  readonly evidence: readonly string[];
}

/** Each asset's IP entries, compiled once. */
const ranges = new WeakMap<AssetRule, readonly { readonly entry: string; readonly list: BlockList }[]>();

function rangesOf(asset: AssetRule): readonly { readonly entry: string; readonly list: BlockList }[] {
  let compiled = ranges.get(asset);
  if (compiled === undefined) {
    compiled = asset.ips.map((entry) => {
      const [address, prefix] = entry.split('/') as [string, string | undefined];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      const list = new BlockList();
      if (prefix === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(prefix), family);
      return { entry, list };
    });
    ranges.set(asset, compiled);
  }
  return compiled;
}

const globs = new Map<string, RegExp>();

/** `*.plant.example` -> a case-insensitive whole-value regexp (`*` = any text). */
function globMatches(pattern: string, value: string): boolean {
  let re = globs.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    globs.set(pattern, re);
  }
  return re.test(value);
}

/** The first IP entry of `asset` holding `value`, or null (also for a value that is no IP). */
function rangeHolding(asset: AssetRule, value: string): string | null {
  const family = isIP(value);
  if (family === 0) return null;
  return rangesOf(asset).find((r) => r.list.check(value, family === 6 ? 'ipv6' : 'ipv4'))?.entry ?? null;
}

/** An incident field by path (`name`, `properties.site`) as texts: handles and lists flattened. */
export function fieldTexts(incident: IncidentFacts['incident'], path: string): string[] {
  let v: JsonValue | undefined = incident as JsonValue;
  for (const key of path.split('.')) {
    v = v !== null && typeof v === 'object' && !Array.isArray(v) ? v[key] : undefined;
  }
  const out: string[] = [];
  const add = (x: JsonValue | undefined): void => {
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out.push(String(x));
    else if (Array.isArray(x)) x.forEach(add);
    else if (x && typeof x === 'object' && typeof x['name'] === 'string') out.push(x['name']);
  };
  add(v);
  return out;
}

/**
 * The assets the incident concerns, in config order, each with its evidence. A single asset
 * matched several ways is one match; a group asset gives one match per distinct artifact value
 * (its fields, if they match, count for the group as a whole only when no value did).
 */
export function matchAssets(assets: readonly AssetRule[], facts: IncidentFacts): AssetMatch[] {
  const out: AssetMatch[] = [];
  for (const asset of assets) {
    const byValue = new Map<string, string[]>();
    for (const { type, value } of facts.artifacts) {
      const found: string[] = [];
      const host = asset.hostnames.find((p) => globMatches(p, value));
      if (host !== undefined) found.push(`artifact ${type} ${value} matches host name ${host}`);
      const range = rangeHolding(asset, value);
      if (range !== null) found.push(`artifact ${type} ${value} in ${range}`);
      if (found.length > 0) byValue.set(value.toLowerCase(), [...(byValue.get(value.toLowerCase()) ?? []), ...found]);
    }
    const fieldEvidence: string[] = [];
    for (const { path, values } of asset.fields) {
      const texts = [...(facts.named ? fieldTexts(facts.named, path) : []), ...fieldTexts(facts.incident, path)];
      const hit = values.find((v) => texts.some((t) => t.toLowerCase() === v.toLowerCase()));
      if (hit !== undefined) fieldEvidence.push(`field ${path} is ${hit}`);
    }
    if (asset.group && byValue.size > 0) {
      for (const [member, evidence] of byValue) out.push({ asset, member, evidence });
    } else if (byValue.size > 0 || fieldEvidence.length > 0) {
      out.push({ asset, member: null, evidence: [...[...byValue.values()].flat(), ...fieldEvidence] });
    }
  }
  return out;
}
