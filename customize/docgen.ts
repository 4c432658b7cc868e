/**
 * Admin documentation generated from the definitions, so it never drifts from what is installed:
 * `renderDocs()` is the Markdown between `<!-- customize:begin -->` and `<!-- customize:end -->`
 * in README.md. `npm run docgen` rewrites that section; a unit test fails when it is stale.
 */
import { DEFINITIONS } from './definitions.js';
import type { ConditionDef, Definitions, FieldDef, RuleDef, WorkflowDef } from './model.js';
import { parsePreProcessingScript, type ScriptExpr } from './script.js';

export const BEGIN_MARKER = '<!-- customize:begin -->';
export const END_MARKER = '<!-- customize:end -->';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [row(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(row)];
}

function typeOf(f: FieldDef): string {
  const base = f.inputType === 'datetimepicker' ? 'date and time' : f.inputType === 'datepicker' ? 'date' : f.inputType;
  return f.values ? `${base}: ${f.values.join(', ')}${f.blankOption ? ' (or empty)' : ''}` : base;
}

function meaning(f: FieldDef): string {
  return f.description ?? f.tooltip;
}

function describeCondition(c: ConditionDef): string {
  if (c.method === 'object_added') return 'created';
  if (c.method === 'object_removed') return 'deleted';
  const field = `\`${c.field ?? ''}\``;
  const words: Record<string, string> = {
    changed: 'changed',
    has_a_value: 'has a value',
    not_has_a_value: 'is empty',
    changed_to: 'changed to',
    not_changed_to: 'changed, not to',
    equals: 'equals',
    not_equals: 'does not equal',
    contains: 'contains',
    not_contains: 'does not contain',
  };
  const value = c.value === undefined || c.value === null ? '' : ` \`${JSON.stringify(c.value)}\``;
  return `${field} ${words[c.method] ?? c.method}${value}`;
}

function objectWords(object: string): string {
  return object === 'incident' ? 'an incident' : `a row of the datatable \`${object}\``;
}

function trigger(r: RuleDef, d: Definitions): string {
  if (r.type === 'automatic') {
    const joined = r.conditions.map(describeCondition).join(r.logic === 'all' ? ' and ' : ' or ');
    return `Automatic, on ${objectWords(r.object)}: ${joined}.`;
  }
  const prompts = (r.prompts ?? []).map((name) => d.rulePrompts.find((f) => f.name === name)?.label ?? name);
  const shown = r.conditions.length > 0 ? ` (shown when ${r.conditions.map(describeCondition).join(r.logic === 'all' ? ' and ' : ' or ')})` : '';
  const asks = prompts.length > 0 ? ` Asks for: ${prompts.join(', ')}.` : '';
  return `Menu item of ${objectWords(r.object)}${shown}.${asks}`;
}

function exprText(e: ScriptExpr): string {
  switch (e.kind) {
    case 'incident':
      return `incident.${e.field}`;
    case 'incident_property':
      return `incident.properties.${e.field}`;
    case 'row':
      return `row.${e.column}`;
    case 'rule_property':
      return `rule.properties.${e.field}`;
    case 'literal':
      return e.value === null ? 'None' : typeof e.value === 'boolean' ? (e.value ? 'True' : 'False') : JSON.stringify(e.value);
  }
}

function steps(w: WorkflowDef): string {
  return w.steps
    .map((s) => {
      const args = [
        ...Object.entries(s.staticInputs ?? {}).map(([k, v]) => `${k} = ${JSON.stringify(v)}`),
        ...parsePreProcessingScript(s.pre.join('\n')).map((a) => `${a.input} = ${exprText(a.expr)}`),
      ];
      return `\`${s.function}(${args.join(', ')})\``;
    })
    .join(', then ');
}

/** The Markdown of the README's customization section (without the markers), ending with a newline. */
export function renderDocs(d: Definitions = DEFINITIONS): string {
  const L: string[] = [];
  const workflows = new Map(d.workflows.map((w) => [w.programmaticName, w]));
  L.push('<!-- Generated from customize/ by `npm run docgen`; edit the definitions, not this section. -->');
  L.push('');
  L.push(
    '`soar-clearing customize` imports these into each brand\'s SOAR (one export.res built by ' +
      '`customize/build.ts`; importing again updates them in place). The API key needs the ' +
      'permissions listed in `apikey_permissions.txt`.',
  );
  L.push('');

  L.push('### Message destination');
  L.push('');
  for (const m of d.destinations) {
    L.push(`\`${m.programmaticName}\`: a ${m.destinationType === 0 ? 'queue' : 'topic'}` +
      `${m.expectAck ? ' expecting acknowledgement' : ''}. ${m.description}`);
  }
  L.push('');

  L.push('### Functions');
  L.push('');
  const inputDefs = new Map(d.functionInputs.map((f) => [f.name, f]));
  for (const f of d.functions) {
    L.push(`#### ${f.displayName} (\`${f.name}\`)`);
    L.push('');
    L.push(f.description);
    L.push('');
    L.push(...table(['Input', 'Type', 'Required', 'Meaning'], f.inputs.map((name) => {
      const def = inputDefs.get(name);
      return [`\`${name}\``, def ? typeOf(def) : '?', def?.required === 'always' ? 'yes' : 'no', def ? meaning(def) : ''];
    })));
    L.push('');
    if (f.outputDescription) {
      L.push(`Result \`content\`: \`${f.outputDescription}\`.`);
      L.push('');
    }
    const users = d.rules.filter((r) => r.workflows.some((wn) => workflows.get(wn)?.steps.some((s) => s.function === f.name)));
    L.push(users.length > 0
      ? `Run by the rule${users.length > 1 ? 's' : ''} ${users.map((r) => `"${r.name}"`).join(', ')}.`
      : 'No shipped rule runs it; call it from your own workflows or playbooks.');
    L.push('');
  }

  L.push('### Rules');
  L.push('');
  L.push(...table(['Rule', 'When / where', 'What it does', 'Workflow: function calls'], d.rules.map((r) => [
    r.name,
    trigger(r, d),
    r.summary,
    r.workflows.map((wn) => {
      const w = workflows.get(wn);
      return w ? `\`${wn}\`: ${steps(w)}` : `\`${wn}\``;
    }).join('; '),
  ])));
  L.push('');
  L.push(
    'Workflow scripts only copy values into the function inputs; the functions write their ' +
      'results into SOAR themselves (no post-processing).',
  );
  L.push('');

  for (const t of d.datatables) {
    L.push(`### Datatable \`${t.name}\` (${t.displayName})`);
    L.push('');
    L.push(`${t.description} Analysts ${t.canCreate ? 'may' : 'cannot'} add rows and ${t.canDestroy ? 'may' : 'cannot'} delete them by hand.`);
    L.push('');
    L.push(...table(['Column', 'API name', 'Type', 'Meaning'], t.columns.map((c) => [c.label, `\`${c.name}\``, typeOf(c), meaning(c)])));
    L.push('');
  }

  L.push('### Incident fields');
  L.push('');
  L.push(...table(['Field', 'API name', 'Type', 'Meaning'], d.incidentFields.map((f) => [f.label, `\`properties.${f.name}\``, typeOf(f), meaning(f)])));
  L.push('');

  L.push('### Tasks');
  L.push('');
  L.push(...table(['Task', 'Phase', 'Required', 'Added'], d.tasks.map((t) => [
    `${t.name} (\`${t.programmaticName}\`)`,
    t.phase,
    t.optional ? 'no (optional)' : 'yes',
    t.addedWhen,
  ])));
  L.push('');
  L.push('Each task carries instructions for the analyst (see `customize/tasks.ts`).');
  return `${L.join('\n')}\n`;
}

/** The current generated section of a README, or null when it has no markers. */
export function extractDocs(readme: string): string | null {
  const begin = readme.indexOf(BEGIN_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (begin < 0 || end < begin) return null;
  return readme.slice(begin + BEGIN_MARKER.length, end).replace(/^\r?\n/, '');
}

/** The README with its generated section replaced by `docs`; throws when the markers are missing. */
export function spliceDocs(readme: string, docs: string): string {
  const begin = readme.indexOf(BEGIN_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (begin < 0 || end < begin) {
    throw new Error(`README has no '${BEGIN_MARKER}' ... '${END_MARKER}' section`);
  }
  return `${readme.slice(0, begin + BEGIN_MARKER.length)}\n${docs}${readme.slice(end)}`;
}
