/**
 * The shipped workflows: each one's XML is SOAR BPMN (definitions/process, the resilient
 * namespace, a straight line of function steps), references existing function and field uuids,
 * keeps to the script subset the SOAR emulator runs, and workflows/ holds exactly what the
 * builder renders (run `npm run workflows` when this fails).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { BPMN_NS, RESILIENT_NS } from '../../customize/bpmn.js';
import { buildExport, workflowFiles, WORKFLOWS_DIR } from '../../customize/build.js';
import { DEFINITIONS } from '../../customize/definitions.js';
import { checkPostProcessingScript, parsePreProcessingScript, parseScriptExpr } from '../../customize/script.js';
import { repoRoot } from '../../sim/emulator/samples.js';


type X = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ['serviceTask', 'sequenceFlow', 'startEvent', 'endEvent', 'process', 'incoming', 'outgoing'].includes(name),
});

function asObj(v: unknown, what: string): X {
  assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v), `${what} is an element`);
  return v as X;
}

function asList(v: unknown): X[] {
  return Array.isArray(v) ? (v as X[]) : v === undefined ? [] : [v as X];
}

const exp = buildExport();
const functionUuids = new Map(exp.functions.map((f) => [f.uuid, f]));
const fieldByUuid = new Map(exp.fields.map((f) => [f.uuid, f]));

/** The subset the emulator runs, as one regular expression per line (kept apart from script.ts on purpose). */
const SUBSET_LINE = new RegExp(
  '^(?:\\s*|\\s*#.*|inputs\\.[A-Za-z_][A-Za-z0-9_]* = (?:incident\\.id|incident\\.[A-Za-z_][A-Za-z0-9_]*|' +
    'incident\\.properties\\.[A-Za-z_][A-Za-z0-9_]*|row\\.[A-Za-z_][A-Za-z0-9_]*|rule\\.properties\\.[A-Za-z_][A-Za-z0-9_]*|' +
    '"[^"\\\\]*"|\'[^\'\\\\]*\'|-?\\d+|True|False|None))$',
);

test('every workflow parses as SOAR BPMN and calls existing functions with existing inputs', () => {
  assert.equal(exp.workflows.length, DEFINITIONS.workflows.length);
  for (const w of exp.workflows) {
    const what = w.programmatic_name;
    const doc = parser.parse(w.content.xml) as X;
    const defs = asObj(doc['definitions'], `${what} <definitions>`);
    assert.equal(defs['@_xmlns'], BPMN_NS, what);
    assert.equal(defs['@_xmlns:resilient'], RESILIENT_NS, what);
    const processes = asList(defs['process']);
    assert.equal(processes.length, 1, `${what}: one process`);
    const proc = processes[0]!;
    assert.equal(proc['@_id'], w.programmatic_name);
    assert.equal(proc['@_name'], w.name);
    assert.equal(w.content.workflow_id, w.programmatic_name);
    assert.equal(w.export_key, w.programmatic_name);

    const starts = asList(proc['startEvent']);
    const ends = asList(proc['endEvent']);
    const tasks = asList(proc['serviceTask']);
    const flows = asList(proc['sequenceFlow']);
    assert.equal(starts.length, 1, `${what}: one start`);
    assert.equal(ends.length, 1, `${what}: one end`);
    assert.ok(tasks.length >= 1, `${what}: at least one step`);
    // A straight line: start -> task 1 -> ... -> end, through every flow exactly once.
    const next = new Map(flows.map((f) => [String(f['@_sourceRef']), String(f['@_targetRef'])]));
    assert.equal(next.size, flows.length, `${what}: one outgoing flow per element`);
    const order: string[] = [];
    let at = String(starts[0]!['@_id']);
    while (next.has(at)) {
      at = next.get(at)!;
      order.push(at);
    }
    assert.equal(order.at(-1), ends[0]!['@_id'], `${what}: the line reaches the end event`);
    assert.deepEqual(order.slice(0, -1), tasks.map((t) => t['@_id']), `${what}: every step is on the line, in order`);

    const def = DEFINITIONS.workflows.find((x) => x.programmaticName === w.programmatic_name)!;
    tasks.forEach((t, i) => {
      assert.equal(t['@_resilient:type'], 'function');
      const ext = asObj(t['extensionElements'], `${what} extensionElements`);
      const fnEl = asObj(ext['resilient:function'], `${what} <resilient:function>`);
      const fn = functionUuids.get(String(fnEl['@_uuid']));
      assert.ok(fn, `${what}: step ${i + 1} calls an exported function (${String(fnEl['@_uuid'])})`);
      assert.equal(fn.name, def.steps[i]!.function);
      const payload = JSON.parse(String(fnEl['#text'])) as {
        inputs: Record<string, { input_type: string }>;
        pre_processing_script: string;
        post_processing_script: string;
        result_name: string;
      };
      const allowedInputs = new Set(fn.view_items.map((v) => v.content));
      for (const [uuid, binding] of Object.entries(payload.inputs)) {
        assert.ok(fieldByUuid.has(uuid) && allowedInputs.has(uuid), `${what}: input ${uuid} is an input field of ${fn.name}`);
        assert.equal(binding.input_type, 'static');
      }
      assert.equal(typeof payload.result_name, 'string');
      assert.ok(payload.result_name.length > 0);
      // The scripts keep to the subset the emulator's workflow runner evaluates.
      for (const line of payload.pre_processing_script.split('\n')) assert.match(line, SUBSET_LINE, `${what}: pre-processing line`);
      for (const a of parsePreProcessingScript(payload.pre_processing_script)) {
        assert.ok(fn.view_items.some((v) => fieldByUuid.get(v.content)?.name === a.input), `${what}: inputs.${a.input} is an input of ${fn.name}`);
        if (a.expr.kind === 'row') assert.equal(w.object_type, 'clearing_distribution', `${what}: row.* only on datatable workflows`);
      }
      checkPostProcessingScript(payload.post_processing_script);
    });
  }
});

test('workflows/ holds exactly the BPMN the builder renders (npm run workflows regenerates it)', () => {
  const root = repoRoot();
  const files = workflowFiles();
  const expected = new Map(files.map((f) => [f.path, f.content]));
  const present = readdirSync(join(root, WORKFLOWS_DIR)).filter((n) => n.endsWith('.bpmn')).map((n) => `${WORKFLOWS_DIR}/${n}`);
  assert.deepEqual(present.sort(), [...expected.keys()].sort(), 'the .bpmn files in workflows/ are those of customize/workflows.ts; run `npm run workflows`');
  for (const [path, content] of expected) {
    assert.equal(readFileSync(join(root, path), 'utf8'), content, `${path} is stale; run \`npm run workflows\``);
  }
  for (const w of exp.workflows) {
    assert.equal(w.content.xml, expected.get(`${WORKFLOWS_DIR}/${w.programmatic_name}.bpmn`), `the export carries ${w.programmatic_name}.bpmn as committed`);
  }
});

test('the script subset parser accepts the subset and nothing more', () => {
  const ok = [
    ['incident.id', { kind: 'incident', field: 'id' }],
    ['incident.name', { kind: 'incident', field: 'name' }],
    ['incident.properties.clearing_origin_brand', { kind: 'incident_property', field: 'clearing_origin_brand' }],
    ['row.brand', { kind: 'row', column: 'brand' }],
    ['rule.properties.clearing_config_reason', { kind: 'rule_property', field: 'clearing_config_reason' }],
    ['"a # b"', { kind: 'literal', value: 'a # b' }],
    ["'x'", { kind: 'literal', value: 'x' }],
    ['-42', { kind: 'literal', value: -42 }],
    ['0', { kind: 'literal', value: 0 }],
    ['True', { kind: 'literal', value: true }],
    ['False', { kind: 'literal', value: false }],
    ['None', { kind: 'literal', value: null }],
  ] as const;
  for (const [text, expr] of ok) assert.deepEqual(parseScriptExpr(text), expr, text);
  for (const bad of ['incident.id + 1', 'incident.properties', 'incident', 'row', 'rule.id', '"a\\"b"', '1.5', '007', 'true', 'artifact.value', 'u"x"', '"x" # c']) {
    assert.equal(parseScriptExpr(bad), null, bad);
  }
  assert.deepEqual(parsePreProcessingScript('# c\n\ninputs.incident_id = incident.id\n  # indented comment').map((a) => [a.input, a.line]), [['incident_id', 3]]);
  assert.throws(() => parsePreProcessingScript('  inputs.a = 1'), /line 1: not of the form/);
  assert.throws(() => parsePreProcessingScript('if True:\n  inputs.a = 1'), /line 1/);
  assert.throws(() => parsePreProcessingScript('inputs.a = 1\ninputs.b = incident.x.y'), /line 2: expression outside the subset/);
  assert.throws(() => checkPostProcessingScript('# ok\nincident.addNote("x")'), /line 2/);
});
