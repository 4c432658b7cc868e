/**
 * The pre/post-processing script subset the emulator runs (a contract with the customization
 * author; SOAR itself runs Python). One statement per line:
 *
 *   inputs.<input_name> = <expr>
 *
 * where <expr> is one of
 *   incident.id | incident.<field> | incident.properties.<custom_field>
 *   row.<column>                    (workflows on a datatable: the row that fired)
 *   rule.properties.<prompt_field>  (menu-item rules: the analyst's answers)
 *   "text" | 'text' | u"text"      (Python escapes \\ \' \" \n \r \t \xHH \uHHHH)
 *   an integer | True | False | None
 *
 * Blank lines and `#` comments (whole-line or after a statement) are allowed. Anything else
 * makes the workflow instance fail with a ScriptError naming the line: nothing is ever skipped
 * silently. Post-processing scripts may hold only blank lines and comments.
 */
import type { JsonValue } from '../../src/core/types.js';

export type ScriptExpr =
  | { readonly kind: 'literal'; readonly value: JsonValue }
  | { readonly kind: 'incident'; readonly field: string }
  | { readonly kind: 'incident_property'; readonly field: string }
  | { readonly kind: 'row'; readonly column: string }
  | { readonly kind: 'rule_property'; readonly field: string };

export interface ScriptAssignment {
  /** 1-based line number in the script. */
  readonly line: number;
  /** The line as written (trimmed). */
  readonly text: string;
  readonly input: string;
  readonly expr: ScriptExpr;
}

export class ScriptError extends Error {
  constructor(readonly line: number, readonly text: string, readonly reason: string) {
    super(`line ${line}: ${reason}: ${text}`);
    this.name = 'ScriptError';
  }
}

const SUPPORTED_SUBSET =
  'supported: inputs.<name> = incident.id | incident.<field> | incident.properties.<field> | row.<column> | ' +
  'rule.properties.<field> | a quoted string | an integer | True | False | None; blank lines and # comments';

const IDENT = '[A-Za-z_][A-Za-z0-9_]*';
const ASSIGN = new RegExp(`^inputs\\.(${IDENT})\\s*=\\s*(.*)$`);

/** Reads a Python string literal at the start of `s`; returns [value, rest] or null. */
function readString(s: string): [string, string] | null {
  let i = 0;
  if (s[0] === 'u' || s[0] === 'U') i = 1;
  const q = s[i];
  if (q !== '"' && q !== "'") return null;
  if (s.startsWith(q.repeat(3), i)) return null; // triple-quoted strings are not in the subset
  i++;
  let out = '';
  while (i < s.length) {
    const c = s[i]!;
    if (c === q) return [out, s.slice(i + 1)];
    if (c === '\\') {
      const e = s[i + 1];
      if (e === undefined) return null;
      const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t', '0': '\0' };
      if (e in simple) {
        out += simple[e];
        i += 2;
        continue;
      }
      if (e === 'x' || e === 'u') {
        const len = e === 'x' ? 2 : 4;
        const hex = s.slice(i + 2, i + 2 + len);
        if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) return null;
        out += String.fromCharCode(parseInt(hex, 16));
        i += 2 + len;
        continue;
      }
      out += c + e; // Python keeps unknown escapes as written
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  return null;
}

function restIsEmpty(rest: string): boolean {
  const t = rest.trim();
  return t === '' || t.startsWith('#');
}

function parseExpr(src: string): ScriptExpr | null {
  const str = readString(src);
  if (str) return restIsEmpty(str[1]) ? { kind: 'literal', value: str[0] } : null;
  const hash = src.indexOf('#');
  const token = (hash >= 0 ? src.slice(0, hash) : src).trim();
  if (/^-?\d+$/.test(token)) {
    const n = Number(token);
    return Number.isSafeInteger(n) ? { kind: 'literal', value: n } : null;
  }
  if (token === 'True') return { kind: 'literal', value: true };
  if (token === 'False') return { kind: 'literal', value: false };
  if (token === 'None') return { kind: 'literal', value: null };
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^incident\\.properties\\.(${IDENT})$`).exec(token))) return { kind: 'incident_property', field: m[1]! };
  if ((m = new RegExp(`^incident\\.(${IDENT})$`).exec(token))) {
    return m[1] === 'properties' ? null : { kind: 'incident', field: m[1]! };
  }
  if ((m = new RegExp(`^row\\.(${IDENT})$`).exec(token))) return { kind: 'row', column: m[1]! };
  if ((m = new RegExp(`^rule\\.properties\\.(${IDENT})$`).exec(token))) return { kind: 'rule_property', field: m[1]! };
  return null;
}

function isBlankOrComment(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}

/** Parses a pre-processing script; throws ScriptError at the first line outside the subset. */
export function parsePreProcessingScript(script: string | null | undefined): ScriptAssignment[] {
  const out: ScriptAssignment[] = [];
  if (!script) return out;
  const lines = script.split(/\r\n|\r|\n/);
  lines.forEach((raw, idx) => {
    if (isBlankOrComment(raw)) return;
    const line = idx + 1;
    const text = raw.trim();
    if (/^\s/.test(raw)) throw new ScriptError(line, text, `unexpected indentation (${SUPPORTED_SUBSET})`);
    const m = ASSIGN.exec(text);
    if (!m) throw new ScriptError(line, text, `unsupported statement (${SUPPORTED_SUBSET})`);
    const expr = parseExpr(m[2]!);
    if (!expr) throw new ScriptError(line, text, `unsupported expression (${SUPPORTED_SUBSET})`);
    out.push({ line, text, input: m[1]!, expr });
  });
  return out;
}

/** A post-processing script may only hold blank lines and comments; throws ScriptError otherwise. */
export function checkPostProcessingScript(script: string | null | undefined): void {
  if (!script) return;
  script.split(/\r\n|\r|\n/).forEach((raw, idx) => {
    if (!isBlankOrComment(raw)) {
      throw new ScriptError(idx + 1, raw.trim(), 'unsupported statement (the emulator accepts only comments in post-processing scripts)');
    }
  });
}
