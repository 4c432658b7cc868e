/**
 * HTML built from tagged templates that escape every interpolation unless it is explicitly
 * marked safe: `html\`<td>${name}</td>\`` escapes `name`; a nested `html\`...\`` (or `raw()`)
 * goes in as is. Arrays are joined, each item by the same rule; null, undefined and false
 * render as nothing. Values go only into text or into double-quoted attributes, where escaping
 * `& < > " '` (and the backquote, for old parsers) is enough; bidi controls are shown, not applied.
 */
import { escapeHtml } from '../../core/escape-html.js';

/** Markup that is safe to emit as is: the result of `html` or `raw`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

/** Marks trusted markup (built by this module, never from data) as safe. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Bidirectional controls (embeddings, overrides, isolates, marks): they reorder what follows. */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/**
 * Bidi controls shown as what they are (`[U+202E]`), never applied: a name "\u202Egpj.exe" would
 * otherwise read "exe.jpg". Every interpolated value goes through this.
 */
function showBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`);
}

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return (value as readonly Interpolation[]).map(render).join('');
  return escapeHtml(showBidiControls(String(value)));
}

export function html(strings: TemplateStringsArray, ...values: readonly Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}
