/**
 * The validator of the config schema. ajv generates it as ~150 KB of JavaScript; generating it at
 * start-up left a long-running node ~5 MiB more RSS for good (issue 13), so `npm run build` writes
 * it once (scripts/config-validator.mjs, next to this module as config-validator.cjs) and a node
 * loads that. Without the file, or when it was made from another schema or other options, the
 * validator is compiled here as before: the file only saves memory, it never changes an answer.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import { onDemand } from '../core/on-demand.js';
import { configSchema } from './schema.js';

/** inlineRefs false: the shared definitions (soar, stomp, whitelist) become functions, not copies. */
export const CONFIG_AJV_OPTIONS: Readonly<Options> = { allErrors: true, coerceTypes: true, verbose: true, strict: true, strictRequired: false, inlineRefs: false };
/** @public scripts/config-validator.mjs writes the file by this name (it imports dist/, unseen by knip). */
export const PREBUILT_FILE = 'config-validator.cjs';

/** @public What a generated validator was made from: the schema and the options (also scripts/config-validator.mjs). */
export function schemaHash(): string {
  return createHash('sha256').update(JSON.stringify([configSchema, CONFIG_AJV_OPTIONS])).digest('hex');
}

/** The validator `npm run build` generated, if it is there and current. */
export function prebuiltValidator(): ValidateFunction | null {
  try {
    const generated = createRequire(import.meta.url)(`./${PREBUILT_FILE}`) as ValidateFunction & { schemaHash?: unknown };
    return generated.schemaHash === schemaHash() ? generated : null;
  } catch {
    return null;
  }
}

export const configValidator = onDemand(() => prebuiltValidator() ?? new Ajv({ ...CONFIG_AJV_OPTIONS }).compile(configSchema));
