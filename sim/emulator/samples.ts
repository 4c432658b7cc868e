/**
 * The templates the SOAR emulator answers with: the project's own built-in shapes
 * (builtin-samples.ts), the same on every machine, so the demo and the tests behave alike with or
 * without anything beside the repository. The test suite checks them against SOAR's real answers
 * (test/fixtures/soar/, and IBM's samples when a reference directory is given).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { builtinSamples, type BuiltinSampleSet } from './builtin-samples.js';

/** The repo root: the nearest directory above this file holding package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('soar emulator: cannot find the repo root (package.json)');
    dir = up;
  }
}

/** The templates the emulator answers with. */
export interface Samples extends Omit<BuiltinSampleSet, 'types'> {
  /** GET /rest/const as text (served as is). */
  readonly constText: string;
}

let cached: Samples | undefined;
let typesCached: JsonObject | undefined;

/** The emulator's templates (built once; callers clone what they change). */
export function loadSamples(): Samples {
  if (cached) return cached;
  const { types, ...b } = builtinSamples();
  typesCached ??= types;
  cached = { ...b, constText: JSON.stringify(b.constInfo) };
  return cached;
}

/** `GET /types` of the emulated server: every built-in type keyed by type name. */
export function loadTypesSample(): JsonObject {
  typesCached ??= builtinSamples().types;
  return typesCached;
}

/** Where the emulator's answers come from, in words (for the demo's output). */
export function describeSamples(): string {
  return "built-in templates in SOAR's shapes";
}

/** A deep copy of a template. */
export function clone<T extends JsonValue>(v: T): T {
  return structuredClone(v);
}
