/**
 * SOAR workflow BPMN (the `content.xml` of an export's workflow) read into what the emulator's
 * runner needs: the process, its nodes and sequence flows, and for each
 * `<serviceTask resilient:type="function">` the `<resilient:function uuid="...">` JSON
 * (inputs by field uuid, pre/post-processing scripts, result_name).
 *
 * Shape of a real SOAR workflow (as in IBM's resilient-sdk test workflows):
 *   <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:resilient="http://resilient.ibm.com/bpmn" ...>
 *     <process id="<programmatic_name>" isExecutable="true" name="...">
 *       <startEvent id="S"><outgoing>F1</outgoing></startEvent>
 *       <serviceTask id="T" name="..." resilient:type="function">
 *         <extensionElements><resilient:function uuid="<function uuid>">{"inputs":{...},"pre_processing_script":"...","result_name":"..."}</resilient:function></extensionElements>
 *         <incoming>F1</incoming><outgoing>F2</outgoing>
 *       </serviceTask>
 *       <sequenceFlow id="F1" sourceRef="S" targetRef="T"/> ...
 *       <endEvent id="E"><incoming>F2</incoming></endEvent>
 *     </process>
 *     <bpmndi:BPMNDiagram>...</bpmndi:BPMNDiagram>
 *   </definitions>
 */
import { isJsonObject } from '../../src/core/json.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { childElements, parseXml, textContent, type XmlElement } from './xml.js';

const RESILIENT_NS = 'http://resilient.ibm.com/bpmn';

/** One input binding of a function step: `{"input_type": "static", "static_input": {...}}`. */
export interface StepInput {
  readonly input_type: string;
  readonly static_input?: JsonObject;
  readonly [key: string]: JsonValue | undefined;
}

export interface FunctionStepConfig {
  /** Function uuid (the `uuid` attribute of `<resilient:function>`). */
  readonly uuid: string;
  /** Inputs by function input field uuid. */
  readonly inputs: Readonly<Record<string, StepInput>>;
  readonly preProcessingScript: string | null;
  readonly postProcessingScript: string | null;
  readonly resultName: string | null;
}

export interface BpmnNode {
  readonly id: string;
  /** BPMN element local name: startEvent, endEvent, serviceTask, scriptTask, exclusiveGateway, ... */
  readonly kind: string;
  readonly name: string | null;
  /** `resilient:type` when present (e.g. "function"). */
  readonly resilientType: string | null;
  /** Set for function steps. */
  readonly fn: FunctionStepConfig | null;
}

export interface BpmnFlow {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** Whether the flow carries a condition (the emulator does not evaluate conditions). */
  readonly conditional: boolean;
}

export interface BpmnProcess {
  /** The process id, which SOAR sets to the workflow's programmatic name. */
  readonly id: string;
  readonly name: string | null;
  readonly nodes: ReadonlyMap<string, BpmnNode>;
  readonly flows: readonly BpmnFlow[];
  readonly startIds: readonly string[];
  /** Function uuids referenced by the process's function steps. */
  readonly functionUuids: readonly string[];
}

export class BpmnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BpmnError';
  }
}

const IGNORED = new Set(['documentation', 'textAnnotation', 'association', 'extensionElements', 'laneSet', 'incoming', 'outgoing']);

/** Resolves the namespace prefix of an element name against the xmlns declarations in scope. */
function nsOf(name: string, scopes: readonly Readonly<Record<string, string>>[]): string | null {
  const i = name.indexOf(':');
  const prefix = i >= 0 ? name.slice(0, i) : '';
  const attr = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
  for (let k = scopes.length - 1; k >= 0; k--) {
    const v = scopes[k]![attr];
    if (v !== undefined) return v;
  }
  return null;
}

function resilientAttr(e: XmlElement, local: string, scopes: readonly Readonly<Record<string, string>>[]): string | null {
  for (const [k, v] of Object.entries(e.attrs)) {
    const i = k.indexOf(':');
    if (i < 0 || k.startsWith('xmlns')) continue;
    if (k.slice(i + 1) !== local) continue;
    if (nsOf(k, [...scopes, e.attrs]) === RESILIENT_NS) return v;
  }
  return null;
}

function functionConfig(task: XmlElement, scopes: readonly Readonly<Record<string, string>>[]): FunctionStepConfig | null {
  const ext = childElements(task).find((c) => c.local === 'extensionElements');
  if (!ext) return null;
  const inner = [...scopes, task.attrs, ext.attrs];
  const fnEl = childElements(ext).find((c) => c.local === 'function' && nsOf(c.name, [...inner, c.attrs]) === RESILIENT_NS);
  if (!fnEl) return null;
  const uuid = fnEl.attrs['uuid'];
  if (!uuid) throw new BpmnError(`step '${task.attrs['id'] ?? '?'}': <resilient:function> has no uuid attribute`);
  const raw = textContent(fnEl).trim();
  let cfg: JsonValue = {};
  if (raw !== '') {
    try {
      cfg = JSON.parse(raw) as JsonValue;
    } catch (err) {
      throw new BpmnError(`step '${task.attrs['id'] ?? '?'}': the <resilient:function> body is not JSON (${(err as Error).message})`);
    }
  }
  if (!isJsonObject(cfg)) throw new BpmnError(`step '${task.attrs['id'] ?? '?'}': the <resilient:function> body must be a JSON object`);
  const inputsRaw = cfg['inputs'] ?? {};
  if (!isJsonObject(inputsRaw)) throw new BpmnError(`step '${task.attrs['id'] ?? '?'}': 'inputs' must be an object keyed by field uuid`);
  const inputs: Record<string, StepInput> = {};
  for (const [fieldUuid, binding] of Object.entries(inputsRaw)) {
    if (!isJsonObject(binding) || typeof binding['input_type'] !== 'string') {
      throw new BpmnError(`step '${task.attrs['id'] ?? '?'}': input ${fieldUuid} needs an 'input_type'`);
    }
    inputs[fieldUuid] = binding as unknown as StepInput;
  }
  const str = (k: string): string | null => {
    const v = cfg && isJsonObject(cfg) ? cfg[k] : undefined;
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw new BpmnError(`step '${task.attrs['id'] ?? '?'}': '${k}' must be a string`);
    return v;
  };
  return {
    uuid,
    inputs,
    preProcessingScript: str('pre_processing_script'),
    postProcessingScript: str('post_processing_script'),
    resultName: str('result_name'),
  };
}

/** Parses a workflow's BPMN XML. Throws BpmnError (or XmlError) when it is not a usable SOAR workflow. */
export function parseBpmn(xml: string): BpmnProcess {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (err) {
    throw new BpmnError(`the workflow XML is not well-formed: ${(err as Error).message}`);
  }
  if (root.local !== 'definitions') throw new BpmnError(`the root element is <${root.name}>, expected <definitions>`);
  const processes = childElements(root).filter((c) => c.local === 'process');
  if (processes.length !== 1) throw new BpmnError(`expected exactly one <process>, found ${processes.length}`);
  const proc = processes[0]!;
  const scopes = [root.attrs, proc.attrs];
  const nodes = new Map<string, BpmnNode>();
  const flows: BpmnFlow[] = [];
  const functionUuids: string[] = [];
  for (const el of childElements(proc)) {
    if (IGNORED.has(el.local)) continue;
    const id = el.attrs['id'];
    if (!id) throw new BpmnError(`<${el.name}> without an id`);
    if (el.local === 'sequenceFlow') {
      const source = el.attrs['sourceRef'];
      const target = el.attrs['targetRef'];
      if (!source || !target) throw new BpmnError(`sequence flow '${id}' needs sourceRef and targetRef`);
      flows.push({ id, source, target, conditional: childElements(el).some((c) => c.local === 'conditionExpression') });
      continue;
    }
    if (nodes.has(id)) throw new BpmnError(`duplicate element id '${id}'`);
    const resilientType = resilientAttr(el, 'type', scopes);
    const fn = el.local === 'serviceTask' ? functionConfig(el, scopes) : null;
    if (fn) functionUuids.push(fn.uuid);
    nodes.set(id, { id, kind: el.local, name: el.attrs['name'] ?? null, resilientType, fn });
  }
  for (const f of flows) {
    for (const end of [f.source, f.target]) {
      if (!nodes.has(end)) throw new BpmnError(`sequence flow '${f.id}' refers to unknown element '${end}'`);
    }
  }
  const startIds = [...nodes.values()].filter((x) => x.kind === 'startEvent').map((x) => x.id);
  return { id: proc.attrs['id'] ?? '', name: proc.attrs['name'] ?? null, nodes, flows, startIds, functionUuids };
}

const cache = new Map<string, BpmnProcess | BpmnError>();

/** parseBpmn with a cache by XML text; returns the error instead of throwing. */
export function parseBpmnCached(xml: string): BpmnProcess | BpmnError {
  const hit = cache.get(xml);
  if (hit) return hit;
  let out: BpmnProcess | BpmnError;
  try {
    out = parseBpmn(xml);
  } catch (err) {
    out = err instanceof BpmnError ? err : new BpmnError((err as Error).message);
  }
  if (cache.size > 200) cache.clear();
  cache.set(xml, out);
  return out;
}
