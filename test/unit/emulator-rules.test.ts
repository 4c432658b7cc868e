/**
 * The SOAR emulator's pure parts for rules and workflows: the XML/BPMN reader (on IBM's real
 * workflow files, resilient-sdk's test data, when the reference directory is here), the pre/post-processing script subset, rule conditions.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/types.js';
import { parseBpmn } from '../../sim/emulator/bpmn.js';
import { ConditionError, ruleConditionsHold, type ConditionContext } from '../../sim/emulator/conditions.js';
import { checkPostProcessingScript, parsePreProcessingScript, ScriptError } from '../../sim/emulator/scripts.js';
import { staticValue } from '../../sim/emulator/workflows.js';
import { referencePath, withoutReference } from '../support/reference.js';
import { parseXml, XmlError, type XmlElement } from '../../sim/emulator/xml.js';

const needsWorkflows = { skip: withoutReference('soar', 'workflows') };
const ibmWorkflow = (name: string): string => readFileSync(referencePath('soar', 'workflows', name), 'utf8');

describe('xml', () => {
  test('elements, attributes, entities, CDATA, comments', () => {
    const root = parseXml(`<?xml version="1.0"?><!-- c --><a x='1' y="&lt;&amp;&#65;&#x42;"><b>t&quot;x</b><![CDATA[<raw>]]><c/></a>`);
    assert.equal(root.name, 'a');
    assert.deepEqual(root.attrs, { x: '1', y: '<&AB' });
    assert.equal(root.children.length, 3);
    assert.deepEqual((root.children[0] as XmlElement).children, ['t"x']);
    assert.equal(root.children[1], '<raw>');
  });

  test('malformed documents are refused', () => {
    for (const bad of ['<a><b></a>', '<a x=1/>', '<a>&nope;</a>', '<a></a><b/>', '', '<!DOCTYPE a><a/>', '<a x="1" x="2"/>']) {
      assert.throws(() => parseXml(bad), XmlError, bad);
    }
  });
});

describe('bpmn', () => {
  test("IBM's workflow one: start -> function step -> end, with the step's JSON", needsWorkflows, () => {
    const p = parseBpmn(ibmWorkflow('workflow_mock_workflow_one.bpmn.xml'));
    assert.equal(p.id, 'mock_workflow_one');
    assert.equal(p.startIds.length, 1);
    const steps = [...p.nodes.values()].filter((n) => n.fn);
    assert.equal(steps.length, 1);
    const fn = steps[0]!.fn!;
    assert.equal(steps[0]!.resilientType, 'function');
    assert.equal(fn.uuid, '9b180887-4ff6-4d13-82a6-cb0a5d8718f1');
    assert.equal(fn.resultName, 'output_of_mock_function_one');
    assert.match(fn.preProcessingScript!, /inputs\.mock_input_number = 123/);
    assert.equal(Object.keys(fn.inputs).length, 4);
    assert.equal(p.flows.length, 2);
  });

  test("IBM's workflow two has two function steps in sequence", needsWorkflows, () => {
    const p = parseBpmn(ibmWorkflow('workflow_mock_workflow_two.bpmn.xml'));
    assert.deepEqual(p.functionUuids, ['9b180887-4ff6-4d13-82a6-cb0a5d8718f1', '90be4dd8-59a0-4791-82e9-df5d7e86edcb']);
  });

  test('escaped JSON in the function element and a bad body', () => {
    const xml = (body: string): string =>
      `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:resilient="http://resilient.ibm.com/bpmn"><process id="p">` +
      `<startEvent id="s"/><serviceTask id="t" resilient:type="function"><extensionElements><resilient:function uuid="u1">${body}</resilient:function></extensionElements></serviceTask>` +
      `<sequenceFlow id="f" sourceRef="s" targetRef="t"/></process></definitions>`;
    const p = parseBpmn(xml('{&quot;inputs&quot;:{},&quot;result_name&quot;:&quot;r&quot;}'));
    assert.equal(p.nodes.get('t')!.fn!.resultName, 'r');
    assert.throws(() => parseBpmn(xml('{not json')), /not JSON/);
  });
});

describe('pre-processing script subset', () => {
  test('every supported form', () => {
    const a = parsePreProcessingScript(
      [
        '# a comment',
        '',
        'inputs.a = incident.id',
        'inputs.b = incident.name  # trailing comment',
        'inputs.c = incident.properties.clearing_brand',
        'inputs.d = row.brand',
        'inputs.e = rule.properties.note',
        `inputs.f = "x # not a comment \\" \\n"`,
        "inputs.g = u'ล'",
        'inputs.h = -42',
        'inputs.i = True',
        'inputs.j = False',
        'inputs.k = None',
      ].join('\n'),
    );
    assert.deepEqual(
      a.map((x) => [x.line, x.input, x.expr]),
      [
        [3, 'a', { kind: 'incident', field: 'id' }],
        [4, 'b', { kind: 'incident', field: 'name' }],
        [5, 'c', { kind: 'incident_property', field: 'clearing_brand' }],
        [6, 'd', { kind: 'row', column: 'brand' }],
        [7, 'e', { kind: 'rule_property', field: 'note' }],
        [8, 'f', { kind: 'literal', value: 'x # not a comment " \n' }],
        [9, 'g', { kind: 'literal', value: 'ล' }],
        [10, 'h', { kind: 'literal', value: -42 }],
        [11, 'i', { kind: 'literal', value: true }],
        [12, 'j', { kind: 'literal', value: false }],
        [13, 'k', { kind: 'literal', value: null }],
      ],
    );
  });

  test('anything else is refused with its line number', () => {
    for (const [script, line] of [
      ['inputs.a = 1\ninputs.b = incident.name.upper()', 2],
      ['inputs.a = 1.5', 1],
      ['x = 1', 1],
      ['if True:\n  inputs.a = 1', 1],
      ['inputs.a = 1\n  inputs.b = 2', 2],
      ['inputs.a = "unterminated', 1],
      ['inputs.a = incident.properties', 1],
      ['inputs.a = workflow.properties.r.content', 1],
      ['inputs.a = 1 + 2', 1],
    ] as const) {
      assert.throws(() => parsePreProcessingScript(script), (e: unknown) => e instanceof ScriptError && e.line === line && e.message.startsWith(`line ${line}: `), script);
    }
  });

  test('post-processing scripts: comments only', () => {
    checkPostProcessingScript('# nothing to do\n\n   # indented comment');
    assert.throws(() => checkPostProcessingScript('# note\nincident.addNote("x")'), /^Error|line 2: unsupported statement/);
  });
});

describe('rule conditions', () => {
  const ctx = (fields: Record<string, [unknown, unknown, (JsonObject | null)?]>, added = false): ConditionContext => ({
    added,
    field: (name) => {
      const f = fields[name];
      return f ? { old: f[0] as never, new: f[1] as never, def: f[2] ?? null } : null;
    },
  });
  const rule = (conds: JsonObject[], logic = 'all', custom?: string): JsonObject => ({
    conditions: conds, logic_type: logic, ...(custom ? { custom_condition: custom } : {}),
  });
  const c = (field_name: string | null, method: string, value: unknown = null, evaluation_id: number | null = null): JsonObject =>
    ({ field_name, method, value, evaluation_id, type: null }) as JsonObject;

  test('object_added, changed, changed_to, not_changed_to against old/new', () => {
    assert.equal(ruleConditionsHold(rule([c(null, 'object_added')]), ctx({}, true)), true);
    assert.equal(ruleConditionsHold(rule([c(null, 'object_added')]), ctx({}, false)), false);
    const t = 't.distribute';
    assert.equal(ruleConditionsHold(rule([c(t, 'changed_to', true)]), ctx({ [t]: [false, true] })), true);
    assert.equal(ruleConditionsHold(rule([c(t, 'changed_to', true)]), ctx({ [t]: [true, true] })), false);
    assert.equal(ruleConditionsHold(rule([c(t, 'changed_to', true)]), ctx({ [t]: [undefined, true] }, true)), true, 'created with the value');
    assert.equal(ruleConditionsHold(rule([c(t, 'changed')]), ctx({ [t]: [null, ''] })), false, 'no value to no value');
    assert.equal(ruleConditionsHold(rule([c(t, 'changed')]), ctx({ [t]: ['a', 'b'] })), true);
    assert.equal(ruleConditionsHold(rule([c(t, 'not_changed_to', true)]), ctx({ [t]: [true, false] })), true);
    assert.equal(ruleConditionsHold(rule([c(t, 'not_changed_to', true)]), ctx({ [t]: [false, false] })), false);
  });

  test('equals on select fields by label or id, has_a_value, contains, in, numbers', () => {
    const sev: JsonObject = { values: [{ value: 4, label: 'Low' }, { value: 5, label: 'Medium' }] };
    const f = 'incident.severity_code';
    assert.equal(ruleConditionsHold(rule([c(f, 'equals', 'Medium')]), ctx({ [f]: [null, 5, sev] })), true);
    assert.equal(ruleConditionsHold(rule([c(f, 'equals', 'Low')]), ctx({ [f]: [null, 5, sev] })), false);
    assert.equal(ruleConditionsHold(rule([c(f, 'in', ['Low', 'Medium'])]), ctx({ [f]: [null, 5, sev] })), true);
    assert.equal(ruleConditionsHold(rule([c('incident.name', 'contains', 'AUTO')]), ctx({ 'incident.name': [null, 'x [auto] y'] })), true);
    assert.equal(ruleConditionsHold(rule([c('incident.city', 'not_has_a_value')]), ctx({ 'incident.city': [null, null] })), true);
    assert.equal(ruleConditionsHold(rule([c('incident.n', 'gte', 3)]), ctx({ 'incident.n': [null, '3'] })), true);
    assert.equal(ruleConditionsHold(rule([c('t.flag', 'equals', true)]), ctx({ 't.flag': [null, true] })), true);
  });

  test('logic any / all / advanced', () => {
    const fields = ctx({ a: [null, 1], b: [null, 2] });
    const conds = [c('a', 'equals', 1, 1), c('b', 'equals', 3, 2)];
    assert.equal(ruleConditionsHold(rule(conds, 'all'), fields), false);
    assert.equal(ruleConditionsHold(rule(conds, 'any'), fields), true);
    assert.equal(ruleConditionsHold(rule(conds, 'advanced', '1 AND (2 OR 1)'), fields), true);
    assert.equal(ruleConditionsHold(rule(conds, 'advanced', 'NOT 1 OR 2'), fields), false);
    assert.equal(ruleConditionsHold(rule([], 'all'), fields), true);
    assert.throws(() => ruleConditionsHold(rule(conds, 'advanced', '1 AND 3'), fields), ConditionError);
  });

  test('unknown fields and methods are errors, never silently false', () => {
    assert.throws(() => ruleConditionsHold(rule([c('nope.x', 'equals', 1)]), ctx({})), /unknown field 'nope.x'/);
    assert.throws(() => ruleConditionsHold(rule([c('a', 'includes_hierarchical', ['x'])], 'any'), ctx({ a: [null, 1] })), /not supported/);
  });
});

describe('static inputs', () => {
  test('as SOAR sends them: select and multiselect as {id, name}', () => {
    const select: JsonObject = { input_type: 'select', values: [{ uuid: 'u1', value: 52, label: 'one' }, { uuid: 'u2', value: 53, label: 'two' }] };
    assert.deepEqual(staticValue(select, { multiselect_value: [], select_value: 'u2' }), { id: 53, name: 'two' });
    assert.deepEqual(staticValue({ ...select, input_type: 'multiselect' }, { multiselect_value: ['u1', 'u2'] }), [{ id: 52, name: 'one' }, { id: 53, name: 'two' }]);
    assert.equal(staticValue({ input_type: 'boolean' }, { boolean_value: true, multiselect_value: [] }), true);
    assert.deepEqual(staticValue({ input_type: 'textarea' }, { text_content_value: { format: 'text', content: 'x' } }), { format: 'text', content: 'x' });
    assert.equal(staticValue({ input_type: 'text' }, { multiselect_value: [] }), undefined);
    assert.throws(() => staticValue(select, { select_value: 'nope' }), /not one of the field's values/);
  });
});
