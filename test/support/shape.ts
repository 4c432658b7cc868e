/**
 * Compares a JSON answer with a fixture of SOAR's answer (test/fixtures/soar/) key by key and type
 * by type. A fixture file is `{_source, _request, _types?, _maps?, _optional?, _absent?, body}`:
 * - every key of `body` must be in the answer (unless its path is in `_optional`), with the same
 *   JSON type; a null on either side leaves the type open, unless `_types` names it;
 * - `_types`: path -> allowed types, e.g. "number|null" (null only where listed);
 * - `_maps`: path -> "id" or "name": an object keyed by data (numeric ids as strings, or names),
 *   each value shaped like the fixture's first entry;
 * - `_absent`: paths SOAR never sends, which the answer must not have either;
 * - a list the fixture shows with elements must have elements (each shaped like the fixture's
 *   first), unless its path is in `_may_be_empty`.
 * Paths: `a.b`, `[]` for array elements, `{}` for map values (`orgs[].perms`, `rows[].cells{}`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../sim/emulator/samples.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';

export interface Fixture {
  readonly _source: string;
  readonly _request: string;
  readonly _types?: Readonly<Record<string, string>>;
  readonly _maps?: Readonly<Record<string, 'id' | 'name'>>;
  readonly _optional?: readonly string[];
  readonly _absent?: readonly string[];
  readonly _may_be_empty?: readonly string[];
  readonly body: JsonValue;
}

export const FIXTURES_DIR = join(repoRoot(), 'test', 'fixtures', 'soar');

export function readFixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, `${name}.json`), 'utf8')) as Fixture;
}

type Kind = 'null' | 'number' | 'string' | 'boolean' | 'array' | 'object';

function kindOf(v: JsonValue): Kind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as Kind;
}

const KEY_PATTERNS: Record<'id' | 'name', { test: (k: string) => boolean; says: string }> = {
  id: { test: (k) => /^\d+$/.test(k), says: 'a numeric id' },
  name: { test: (k) => /\D/.test(k), says: 'a name' },
};

const join2 = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** Every difference between `answer` and the fixture, as readable lines (empty: same shape). */
export function shapeDifferences(fixture: Fixture, answer: JsonValue | undefined): string[] {
  const out: string[] = [];
  const types = fixture._types ?? {};
  const maps = fixture._maps ?? {};
  const optional = new Set(fixture._optional ?? []);
  const mayBeEmpty = new Set(fixture._may_be_empty ?? []);
  const where = (path: string): string => path || '(top)';

  const compare = (path: string, want: JsonValue, got: JsonValue): void => {
    const allowed = types[path];
    const gotKind = kindOf(got);
    if (allowed !== undefined) {
      if (!allowed.split('|').includes(gotKind)) {
        out.push(`${where(path)}: is ${gotKind} (${JSON.stringify(got)?.slice(0, 60)}), SOAR answers ${allowed}`);
        return;
      }
    } else if (want === null || got === null) {
      return;
    } else if (kindOf(want) !== gotKind) {
      out.push(`${where(path)}: is ${gotKind} (${JSON.stringify(got)?.slice(0, 60)}), SOAR answers ${kindOf(want)}`);
      return;
    }
    if (Array.isArray(want) && Array.isArray(got)) {
      if (want.length === 0) return;
      if (got.length === 0 && !mayBeEmpty.has(path)) out.push(`${where(path)}: is empty, expected elements like SOAR's`);
      for (const g of got) compare(`${path}[]`, want[0]!, g);
      return;
    }
    if (kindOf(want) !== 'object' || kindOf(got) !== 'object') return;
    const w = want as JsonObject;
    const g = got as JsonObject;
    const map = maps[path];
    if (map) {
      const template = Object.values(w)[0];
      for (const [k, v] of Object.entries(g)) {
        if (!KEY_PATTERNS[map].test(k)) out.push(`${where(path)}: key '${k}' is not ${KEY_PATTERNS[map].says}, as SOAR's keys are`);
        if (template !== undefined) compare(`${path}{}`, template, v);
      }
      return;
    }
    for (const [k, v] of Object.entries(w)) {
      const p = join2(path, k);
      if (!Object.hasOwn(g, k)) {
        if (!optional.has(p)) out.push(`${p}: missing (SOAR sends it)`);
        continue;
      }
      compare(p, v, g[k]!);
    }
  };

  if (answer === undefined) return ['no answer body'];
  compare('', fixture.body, answer);
  for (const path of fixture._absent ?? []) {
    for (const hit of resolvePaths(answer, path)) out.push(`${hit}: present, but SOAR never sends it`);
  }
  return out;
}

/** The concrete paths in `v` that `path` (with [] and {}) names. */
export function resolvePaths(v: JsonValue, path: string): string[] {
  const parts = path.match(/[^.[\]{}]+|\[\]|\{\}/g) ?? [];
  let here: Array<[string, JsonValue]> = [['', v]];
  for (const part of parts) {
    const next: Array<[string, JsonValue]> = [];
    for (const [p, x] of here) {
      if (part === '[]' && Array.isArray(x)) x.forEach((e, i) => next.push([`${p}[${i}]`, e]));
      else if (part === '{}' && kindOf(x) === 'object') for (const [k, e] of Object.entries(x as JsonObject)) next.push([join2(p, k), e]);
      else if (kindOf(x) === 'object' && Object.hasOwn(x as JsonObject, part)) next.push([join2(p, part), (x as JsonObject)[part]!]);
    }
    here = next;
  }
  return here.map(([p]) => p);
}
