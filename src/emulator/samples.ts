/**
 * The real SOAR REST samples (../shared/reference/soar/rest-samples/ beside the repo) the
 * emulator uses as templates for its answers. Read at run time, never copied into the repo.
 * Override the directory with SOAR_REST_SAMPLES or the emulator's `samplesDir` option.
 * When neither is given and the default directory does not exist (a fresh clone without
 * ../shared), the emulator falls back to its own minimal templates (builtin-samples.ts);
 * SOAR_REST_SAMPLES=builtin chooses them in any case.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonObject, JsonValue } from '../types.js';
import { BUILTIN_SAMPLES_DIR, builtinSamples, type BuiltinSampleSet } from './builtin-samples.js';

export { BUILTIN_SAMPLES_DIR } from './builtin-samples.js';

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

export function defaultSamplesDir(): string {
  const env = process.env['SOAR_REST_SAMPLES'];
  if (env) return resolve(env);
  return join(repoRoot(), '..', 'shared', 'reference', 'soar', 'rest-samples');
}

/** The templates the emulator answers with; the same shapes whether real samples or built-in. */
export interface Samples extends Omit<BuiltinSampleSet, 'types'> {
  /** The samples directory, or BUILTIN_SAMPLES_DIR for the built-in templates. */
  readonly dir: string;
  /** 'reference': the real SOAR samples; 'builtin': the emulator's own minimal templates. */
  readonly source: 'reference' | 'builtin';
  /** GET /rest/const as text (large, served as is). */
  readonly constText: string;
}

const cache = new Map<string, Samples>();
const typesCache = new Map<string, JsonObject>();

function readJson(dir: string, name: string): JsonValue {
  const file = join(dir, name);
  if (!existsSync(file)) {
    throw new Error(`soar emulator: missing REST sample ${file} (set SOAR_REST_SAMPLES to the samples directory)`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as JsonValue;
}

function obj(v: JsonValue, what: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`soar emulator: sample ${what} is not an object`);
  return v;
}

function entities(v: JsonValue, what: string): JsonObject[] {
  const list = obj(v, what)['entities'];
  if (!Array.isArray(list)) throw new Error(`soar emulator: sample ${what} has no entities`);
  return list.map((e) => obj(e, what));
}

/**
 * The samples in `dir`; without `dir`, those of defaultSamplesDir(), or the built-in templates
 * when that directory does not exist and SOAR_REST_SAMPLES is not set (SOAR_REST_SAMPLES=builtin
 * asks for them). A directory that was named explicitly must hold the samples.
 */
export function loadSamples(dir?: string): Samples {
  if (dir === undefined) {
    const env = process.env['SOAR_REST_SAMPLES'];
    dir = env === 'builtin' ? BUILTIN_SAMPLES_DIR : defaultSamplesDir();
    if (!env && !existsSync(dir)) dir = BUILTIN_SAMPLES_DIR;
  }
  const hit = cache.get(dir);
  if (hit) return hit;
  if (dir === BUILTIN_SAMPLES_DIR) {
    const b = builtinSamples();
    const samples: Samples = {
      dir,
      source: 'builtin',
      passwordSession: b.passwordSession,
      apiKeySession: b.apiKeySession,
      incident: b.incident,
      task: b.task,
      functions: b.functions,
      messageDestinations: b.messageDestinations,
      incidentFields: b.incidentFields,
      tableRow: b.tableRow,
      attachment: b.attachment,
      constText: JSON.stringify(b.constInfo),
      constInfo: b.constInfo,
    };
    cache.set(dir, samples);
    typesCache.set(dir, b.types);
    return samples;
  }
  const constText = readFileSync(join(dir, '200_JSON_GET__const.json'), 'utf8');
  const fields = readJson(dir, '200_JSON_GET__types_incident_fields.json');
  const samples: Samples = {
    dir,
    source: 'reference',
    passwordSession: obj(readJson(dir, 'session_POST_rest_session.json'), 'session_POST'),
    apiKeySession: obj(readJson(dir, 'session_apikey_GET_rest_session.json'), 'session_apikey'),
    incident: obj(readJson(dir, '200_JSON_GET__incidents_2314.json'), 'incident'),
    task: obj(readJson(dir, '200_JSON_GET__task.json'), 'task'),
    functions: entities(readJson(dir, '200_JSON_GET__functions.json'), 'functions'),
    messageDestinations: entities(readJson(dir, '200_JSON_GET__message_destinations.json'), 'message_destinations'),
    incidentFields: Array.isArray(fields) ? fields.map((f) => obj(f, 'incident field')) : [],
    tableRow: obj(readJson(dir, '200_JSON_POST__table_data.json'), 'table_data'),
    attachment: obj(readJson(dir, '200_JSON_POST__attachment.json'), 'attachment'),
    constText,
    constInfo: obj(JSON.parse(constText) as JsonValue, 'const'),
  };
  cache.set(dir, samples);
  return samples;
}

/**
 * `GET /types` of a real server (200_JSON_GET__types.json, 1.6 MB): every built-in type keyed by
 * type name. Read on first use only.
 */
export function loadTypesSample(dir: string): JsonObject {
  const hit = typesCache.get(dir);
  if (hit) return hit;
  if (dir === BUILTIN_SAMPLES_DIR) {
    const { types } = builtinSamples();
    typesCache.set(dir, types);
    return types;
  }
  const types = obj(readJson(dir, '200_JSON_GET__types.json'), 'types');
  typesCache.set(dir, types);
  return types;
}

/** Where the emulator's answers come from, in words (for the demo's output). */
export function describeSamples(samples: Samples): string {
  if (samples.source === 'reference') return `the real SOAR REST samples in ${samples.dir}`;
  return process.env['SOAR_REST_SAMPLES'] === 'builtin'
    ? 'built-in templates (SOAR_REST_SAMPLES=builtin)'
    : `built-in templates (no REST samples at ${defaultSamplesDir()})`;
}

/** A deep copy of a template. */
export function clone<T extends JsonValue>(v: T): T {
  return structuredClone(v);
}
