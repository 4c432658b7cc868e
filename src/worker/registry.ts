/**
 * The functions a worker serves, by name, with their input validators compiled once.
 */
import type { FunctionDefinition } from './function.js';
import { Ajv, type ValidateFunction } from 'ajv';
import { formatPath, schemaProblems } from '../core/schema-problems.js';
import type { JsonObject } from '../core/types.js';

export class FunctionRegistry {
  private readonly byName = new Map<string, { def: FunctionDefinition; validate: ValidateFunction }>();

  constructor(definitions: readonly FunctionDefinition[]) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
    for (const def of definitions) {
      if (this.byName.has(def.name)) throw new Error(`function '${def.name}' is defined twice`);
      this.byName.set(def.name, { def, validate: ajv.compile(def.inputSchema) });
    }
  }

  get(name: string): FunctionDefinition | undefined {
    return this.byName.get(name)?.def;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Problems with `inputs` (already normalized); empty when valid. Fills schema defaults in place. */
  validate(name: string, inputs: JsonObject): string[] {
    const entry = this.byName.get(name);
    if (!entry) return [`function '${name}' is not served here`];
    if (entry.validate(inputs)) return [];
    return schemaProblems(entry.validate.errors, inputs).map((p) => `${formatPath(['inputs', ...p.path])}: ${p.message}`);
  }
}
