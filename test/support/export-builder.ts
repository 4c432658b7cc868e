/**
 * Building blocks for tests that customize the SOAR emulator the way an admin would: a bare REST
 * client (API key auth), SOAR's two-step configuration import, and the objects of a small
 * export.res (fields, functions, linear workflows, rules) in the shapes SOAR exports them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import type { SoarEmulator } from '../../sim/emulator/server.js';

export interface RestReply {
  status: number;
  // oxlint-disable-next-line typescript/no-explicit-any -- JSON of many shapes; the assertions check it
  body: any;
}

/**
 * A bare REST client for the emulator (API key auth), paths relative to /rest/orgs/<org> unless
 * they start with /rest/, extra headers optional. A Buffer body goes as it is (e.g. multipart);
 * an answer that is not JSON is given as its text.
 */
export function restFor(emu: SoarEmulator): (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<RestReply> {
  const ca = readFileSync(emu.pki.caCert);
  const auth = `Basic ${Buffer.from('test-key:test-secret').toString('base64')}`;
  return (method, path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
      const req = https.request(
        {
          host: '127.0.0.1',
          port: emu.port,
          method,
          path: path.startsWith('/rest/') ? path : `/rest/orgs/${emu.orgId}${path}`,
          ca,
          headers: { Authorization: auth, 'Content-Type': 'application/json', ...(data ? { 'Content-Length': String(data.length) } : {}), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = text;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('error', reject);
      req.end(data);
    });
}

/** POST the export, then PUT it back ACCEPTED, as resilient-sdk does. */
export async function importExport(rest: ReturnType<typeof restFor>, exp: unknown): Promise<RestReply> {
  const posted = await rest('POST', '/configurations/imports', exp);
  assert.equal(posted.status, 200, JSON.stringify(posted.body));
  assert.equal(posted.body.status, 'PENDING');
  assert.equal(typeof posted.body.id, 'number');
  assert.ok(Array.isArray(posted.body.messages));
  const accepted = await rest('PUT', `/configurations/imports/${posted.body.id}`, { ...posted.body, status: 'ACCEPTED' });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  assert.equal(accepted.body.status, 'ACCEPTED');
  return accepted;
}

// ---------------------------------------------------------------------------------------------
// A small customization, built the way export.res holds it.

const RESILIENT_BPMN_HEAD =
  '<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" ' +
  'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:resilient="http://resilient.ibm.com/bpmn" ' +
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="http://www.camunda.org/test">';

function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface StepSpec {
  readonly fn: JsonObject;
  readonly inputs?: Record<string, JsonObject>;
  readonly pre?: string;
  readonly post?: string;
  readonly result?: string;
}

/** A linear SOAR workflow: start -> steps -> end. */
function bpmn(id: string, name: string, steps: readonly StepSpec[]): string {
  let body = `<process id="${id}" isExecutable="true" name="${name}"><startEvent id="StartEvent_1"/>`;
  let prev = 'StartEvent_1';
  steps.forEach((s, i) => {
    const cfg: JsonObject = { inputs: s.inputs ?? {} };
    if (s.pre !== undefined) cfg['pre_processing_script'] = s.pre;
    if (s.post !== undefined) cfg['post_processing_script'] = s.post;
    if (s.result !== undefined) cfg['result_name'] = s.result;
    const tid = `ServiceTask_${i + 1}`;
    body += `<serviceTask id="${tid}" name="${String(s.fn['display_name'])}" resilient:type="function"><extensionElements>` +
      `<resilient:function uuid="${String(s.fn['uuid'])}">${xmlText(JSON.stringify(cfg))}</resilient:function></extensionElements></serviceTask>` +
      `<sequenceFlow id="Flow_${i + 1}" sourceRef="${prev}" targetRef="${tid}"/>`;
    prev = tid;
  });
  body += `<endEvent id="EndEvent_1"/><sequenceFlow id="Flow_end" sourceRef="${prev}" targetRef="EndEvent_1"/></process>`;
  return `${RESILIENT_BPMN_HEAD}${body}</definitions>`;
}

export function field(type: string, name: string, inputType: string, extra: JsonObject = {}): JsonObject {
  const typeIds: Record<string, number> = { incident: 0, __function: 11, actioninvocation: 6 };
  return {
    export_key: `${type}/${name}`, name, text: name, input_type: inputType, uuid: randomUUID(),
    type_id: typeIds[type] ?? 0, prefix: type === 'incident' ? 'properties' : null,
    blank_option: false, internal: false, read_only: false, rich_text: false, tooltip: '', placeholder: '',
    templates: [], values: [], tags: [], ...extra,
  };
}

export function fnDef(name: string, destination: string, inputs: JsonObject[]): JsonObject {
  return {
    name, display_name: `Fn ${name}`, export_key: name, uuid: randomUUID(), destination_handle: destination,
    description: { format: 'text', content: name }, version: 1, tags: [], workflows: [],
    view_items: inputs.map((f) => ({ content: f['uuid']!, element: 'field_uuid', field_type: '__function', show_if: null, show_link_header: false, step_label: null })),
  };
}

export function workflow(id: string, objectType: string, steps: readonly StepSpec[]): JsonObject {
  return {
    programmatic_name: id, export_key: id, name: `Workflow ${id}`, description: `test workflow ${id}`, object_type: objectType,
    uuid: randomUUID(), workflow_id: 1, tags: [], actions: [], content_version: 1,
    content: { version: 1, workflow_id: id, xml: bpmn(id, `Workflow ${id}`, steps) },
  };
}

export function rule(name: string, type: 0 | 1, objectType: string, workflows: string[], conditions: JsonObject[] = [], extra: JsonObject = {}): JsonObject {
  return {
    name, export_key: name, type, object_type: objectType, workflows, conditions, logic_type: 'all', enabled: true,
    automations: [], message_destinations: [], tags: [], timeout_seconds: 86400, uuid: randomUUID(), view_items: [], ...extra,
  };
}

export function cond(field_name: string | null, method: string, value: JsonValue = null): JsonObject {
  return { evaluation_id: null, field_name, method, type: null, value };
}
