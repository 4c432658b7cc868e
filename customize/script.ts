/**
 * The pre- and post-processing script subset the shipped workflows use (documented in
 * workflows.ts). build.ts parses every script with these functions and refuses anything else;
 * the SOAR emulator's workflow runner may use them to evaluate the same scripts.
 */

/** The right-hand side of `inputs.<name> = <expr>`. */
export type ScriptExpr =
  /** `incident.<field>`, including `incident.id`. */
  | { readonly kind: 'incident'; readonly field: string }
  /** `incident.properties.<custom_field>`. */
  | { readonly kind: 'incident_property'; readonly field: string }
  /** `row.<column>`: the datatable row the workflow runs on. */
  | { readonly kind: 'row'; readonly column: string }
  /** `rule.properties.<prompt_field>`: an answer to the menu item's prompt. */
  | { readonly kind: 'rule_property'; readonly field: string }
  /** A quoted string, an integer, True, False or None. */
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null };

export interface ScriptAssignment {
  readonly input: string;
  readonly expr: ScriptExpr;
  /** 1-based line number in the script. */
  readonly line: number;
}

export class ScriptSyntaxError extends Error {
  constructor(readonly line: number, readonly text: string, reason: string) {
    super(`line ${line}: ${reason}: ${JSON.stringify(text)}`);
    this.name = 'ScriptSyntaxError';
  }
}

const IDENT = '[A-Za-z_][A-Za-z0-9_]*';
const ASSIGN_RE = new RegExp(`^inputs\\.(${IDENT})[ \\t]*=[ \\t]*(.*?)[ \\t]*$`);
const INCIDENT_PROPERTY_RE = new RegExp(`^incident\\.properties\\.(${IDENT})$`);
const INCIDENT_RE = new RegExp(`^incident\\.(${IDENT})$`);
const ROW_RE = new RegExp(`^row\\.(${IDENT})$`);
const RULE_PROPERTY_RE = new RegExp(`^rule\\.properties\\.(${IDENT})$`);
const INTEGER_RE = /^-?(0|[1-9][0-9]*)$/;
const STRING_RE = /^(?:"([^"\\\r\n]*)"|'([^'\\\r\n]*)')$/;

function isIgnorable(text: string): boolean {
  const t = text.trim();
  return t === '' || t.startsWith('#');
}

/** Parses one expression of the subset, or returns null. */
export function parseScriptExpr(text: string): ScriptExpr | null {
  let m: RegExpExecArray | null;
  if ((m = INCIDENT_PROPERTY_RE.exec(text))) return { kind: 'incident_property', field: m[1]! };
  if ((m = INCIDENT_RE.exec(text)) && m[1] !== 'properties') return { kind: 'incident', field: m[1]! };
  if ((m = ROW_RE.exec(text))) return { kind: 'row', column: m[1]! };
  if ((m = RULE_PROPERTY_RE.exec(text))) return { kind: 'rule_property', field: m[1]! };
  if ((m = STRING_RE.exec(text))) return { kind: 'literal', value: m[1] ?? m[2] ?? '' };
  if (INTEGER_RE.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? { kind: 'literal', value: n } : null;
  }
  if (text === 'True') return { kind: 'literal', value: true };
  if (text === 'False') return { kind: 'literal', value: false };
  if (text === 'None') return { kind: 'literal', value: null };
  return null;
}

/** The assignments of a pre-processing script, in order; throws ScriptSyntaxError outside the subset. */
export function parsePreProcessingScript(script: string): ScriptAssignment[] {
  const out: ScriptAssignment[] = [];
  script.split('\n').forEach((raw, i) => {
    const text = raw.replace(/\r$/, '');
    const line = i + 1;
    if (isIgnorable(text)) return;
    const m = ASSIGN_RE.exec(text);
    if (!m) throw new ScriptSyntaxError(line, text, 'not of the form inputs.<name> = <expr>');
    const expr = parseScriptExpr(m[2]!);
    if (!expr) throw new ScriptSyntaxError(line, text, 'expression outside the subset');
    out.push({ input: m[1]!, expr, line });
  });
  return out;
}

/** Checks a post-processing script holds only comments and blank lines. */
export function checkPostProcessingScript(script: string): void {
  script.split('\n').forEach((raw, i) => {
    if (!isIgnorable(raw)) throw new ScriptSyntaxError(i + 1, raw, 'post-processing scripts hold only comments');
  });
}
