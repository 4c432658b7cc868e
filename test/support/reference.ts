/**
 * IBM's original reference material (REST samples, exports, workflows) is not part of the
 * repository: the team keeps it beside it, in ../shared/reference, or SOAR_REFERENCE_DIR names
 * it. Tests that compare with it run only when it is there and otherwise skip, saying why; a
 * clone of the repository alone passes without it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '../../sim/emulator/samples.js';

export const REFERENCE_DIR = process.env['SOAR_REFERENCE_DIR']
  ? resolve(process.env['SOAR_REFERENCE_DIR'])
  : join(repoRoot(), '..', 'shared', 'reference');

/** A path under the reference directory, e.g. referencePath('soar', 'exports'). */
export function referencePath(...parts: string[]): string {
  return join(REFERENCE_DIR, ...parts);
}

/** For node:test's `skip`: false when the reference path exists, else the reason to skip. */
export function withoutReference(...parts: string[]): false | string {
  const p = referencePath(...parts);
  return existsSync(p) ? false : `IBM's reference material is not here (${p}; set SOAR_REFERENCE_DIR)`;
}

export function readReferenceJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(referencePath(...parts), 'utf8')) as T;
}
