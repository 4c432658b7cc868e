/**
 * The emulator's rule engine and workflow runner: SOAR's rules and workflows, run on the real
 * broker.
 *
 * Rules (imported through /configurations/imports, see customization.ts):
 * - automatic rules (type 0) on `incident` are evaluated on every incident created
 *   (POST /incidents) or changed (PUT /incidents/<id>); on a datatable (object_type = the
 *   table's api name) on every row created or changed (POST/PUT .../row_data). Conditions:
 *   conditions.ts. A disabled rule never fires. A rule whose conditions cannot be evaluated
 *   (unknown field or method) does not fire and leaves a line in `ruleErrors`.
 * - menu-item rules (type 1) run when an analyst invokes them:
 *   POST /incidents/<id>/action_invocations {action_id, properties} and
 *   POST /incidents/<id>/table_data/<table>/row_data/<row>/action_invocations {action_id, properties}.
 * A fired rule starts one workflow instance per workflow it names (concurrently). Rule
 * automations (tasks, field changes, scripts) and rule message destinations (ActionDataDTO) are
 * not run.
 *
 * A workflow instance follows the BPMN sequence flow from the single start event. Each function
 * step (`serviceTask` with `resilient:type="function"`) becomes a real invocation on the broker
 * through SoarInvoker (queue `actions.<org>.<function's destination>`): inputs from the step's
 * static inputs, then the pre-processing script (scripts.ts). The runner waits for the final
 * reply before the next element, stores the results payload under the step's result_name, and
 * checks the post-processing script. An error reply, a timeout, an unsupported element or script
 * line fails the instance with a message saying which.
 */
import { isJsonObject } from '../../src/core/json.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { BpmnError, parseBpmnCached, type BpmnNode, type FunctionStepConfig } from './bpmn.js';
import { ruleConditionsHold, type ConditionContext, type FieldValues } from './conditions.js';
import { findFunctionByUuid, findRule, findWorkflow, objectTypeId } from './customization.js';
import { SoarInvoker, workflowContextToken } from './invoker.js';
import { checkPostProcessingScript, parsePreProcessingScript, ScriptError, type ScriptAssignment } from './scripts.js';
import type {
  ActionInvocationRequest, ActionInvocationResult, EmulatorState, ObjectChange, RuleHooks, TableDef,
} from './state.js';

/** Where the emulator's invocations go: the broker's STOMP port (and TLS/credentials if needed). */
export interface BrokerAttachment {
  readonly port: number;
  readonly host?: string;
  readonly tls?: { readonly ca: string | Buffer };
  readonly login?: string;
  readonly passcode?: string;
}

export type InstanceStatus = 'running' | 'completed' | 'failed' | 'terminated';

export interface WorkflowStepRecord {
  /** The BPMN element id. */
  readonly elementId: string;
  readonly name: string | null;
  readonly function: string | null;
  readonly destination: string | null;
  /** The invocation's correlation id, once published. */
  correlationId: string | null;
  /** The inputs sent (after static inputs and the pre-processing script). */
  inputs: JsonObject;
  status: 'running' | 'completed' | 'failed';
  /** The final reply's results payload (results v2). */
  results: JsonValue | null;
  /** The final reply's message_type (0 success, 1 error), once it came. */
  replyType: number | null;
  error: string | null;
  readonly startedAt: number;
  endedAt: number | null;
}

export interface WorkflowObjectRef {
  /** `incident` or the datatable's api name. */
  readonly type: string;
  /** The object type id (0 for incident, the datatable's type id). */
  readonly typeId: number;
  /** The object's id: the incident id, or the row id. */
  readonly id: number;
  readonly incidentId: number;
  readonly rowId: number | null;
}

export interface WorkflowInstance {
  /** SOAR's workflow_instance_id (also sent in the FunctionDataDTO). */
  readonly id: number;
  readonly orgId: number;
  /** The workflow's programmatic name. */
  readonly workflow: string;
  readonly workflowName: string | null;
  /** The rule that started it (its name), null when started directly. */
  readonly rule: string | null;
  readonly object: WorkflowObjectRef;
  status: InstanceStatus;
  readonly steps: WorkflowStepRecord[];
  /** Results payloads by result_name. */
  readonly results: Record<string, JsonValue>;
  /** Why it failed or was terminated. */
  error: string | null;
  /** Menu-item rule prompts (rule.properties). */
  readonly ruleProperties: JsonObject | null;
  readonly principal: JsonObject;
  readonly startedAt: number;
  endedAt: number | null;
}

export interface WorkflowEngineOptions {
  readonly broker?: BrokerAttachment | null;
  /** How long a function step waits for its final reply; default 30 s. */
  readonly stepTimeoutMs?: number;
}

function msg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Thrown inside the runner to fail the instance with this exact message. */
class InstanceFailure extends Error {}

interface Target {
  readonly orgId: number;
  readonly incidentId: number;
  readonly table: TableDef | null;
  readonly rowId: number | null;
}

const MAX_ELEMENTS = 1000;

export class WorkflowEngine implements RuleHooks {
  /** Every workflow instance started, in order. */
  readonly instances: WorkflowInstance[] = [];
  /** Rules that could not be evaluated (they did not fire), one line each. */
  readonly ruleErrors: string[] = [];
  private broker: BrokerAttachment | null;
  private readonly stepTimeoutMs: number;
  private readonly invokers = new Map<string, Promise<SoarInvoker>>();
  private readonly aborts = new Map<number, AbortController>();
  private readonly listeners = new Set<() => void>();
  private running = 0;
  private seq = 1;
  private closed = false;
  /** Context token of each instance started by a rule -> that rule's name. */
  private readonly tokenRules = new Map<string, string>();

  constructor(private readonly state: EmulatorState, opts: WorkflowEngineOptions = {}) {
    this.broker = opts.broker ?? null;
    this.stepTimeoutMs = opts.stepTimeoutMs ?? 30_000;
  }

  /** Sets (or replaces) the broker function invocations are published to. */
  attachBroker(broker: BrokerAttachment): void {
    const old = [...this.invokers.values()];
    this.invokers.clear();
    this.broker = broker;
    for (const p of old) void p.then((i) => i.close()).catch(() => undefined);
  }

  get brokerAttached(): boolean {
    return this.broker !== null;
  }

  instance(id: number): WorkflowInstance | undefined {
    return this.instances.find((i) => i.id === id);
  }

  /** Instances matching every given criterion. */
  instancesFor(q: { incidentId?: number; rowId?: number; workflow?: string; rule?: string; status?: InstanceStatus }): WorkflowInstance[] {
    return this.instances.filter(
      (i) =>
        (q.incidentId === undefined || i.object.incidentId === q.incidentId) &&
        (q.rowId === undefined || i.object.rowId === q.rowId) &&
        (q.workflow === undefined || i.workflow === q.workflow) &&
        (q.rule === undefined || i.rule === q.rule) &&
        (q.status === undefined || i.status === q.status),
    );
  }

  /** Resolves once no instance is running (instances started meanwhile included). */
  waitIdle(timeoutMs = 30_000): Promise<void> {
    return this.waitUntil(() => this.running === 0, timeoutMs, () => {
      const busy = this.instances.filter((i) => i.status === 'running').map((i) => `${i.id} (${i.workflow})`);
      return `workflow instances to finish: still running ${busy.join(', ')}`;
    });
  }

  /** Resolves with the instance once it is no longer running. */
  async waitFor(instanceId: number, timeoutMs = 30_000): Promise<WorkflowInstance> {
    const inst = this.instance(instanceId);
    if (!inst) throw new Error(`no workflow instance ${instanceId}`);
    await this.waitUntil(() => inst.status !== 'running', timeoutMs, () => `workflow instance ${instanceId} (${inst.workflow}) to finish`);
    return inst;
  }

  /** Terminates a running instance (as an analyst would); false when it was not running. */
  terminate(instanceId: number, reason = 'terminated'): boolean {
    const inst = this.instance(instanceId);
    if (!inst || inst.status !== 'running') return false;
    this.finish(inst, 'terminated', reason);
    this.aborts.get(instanceId)?.abort(new InstanceFailure(reason));
    return true;
  }

  /** Terminates what still runs and closes the broker connections. */
  async close(): Promise<void> {
    this.closed = true;
    for (const inst of this.instances) if (inst.status === 'running') this.terminate(inst.id, 'the emulator stopped');
    const invokers = [...this.invokers.values()];
    this.invokers.clear();
    await Promise.all(invokers.map((p) => p.then((i) => i.close()).catch(() => undefined)));
  }

  // ---- RuleHooks ----

  objectChanged(change: ObjectChange): void {
    if (this.closed) return;
    const objectType = change.table ? change.table.name : 'incident';
    // A change made with an invocation's X-Co3ContextToken skips the rule that sent the invocation
    // (Custom Action Developer Guide, "Message headers"), so a workflow cannot trigger itself.
    const skip = change.contextToken ? this.tokenRules.get(change.contextToken) : undefined;
    const rules = this.state.rules.filter((r) => r['type'] === 0 && r['enabled'] !== false && r['object_type'] === objectType && r['name'] !== skip);
    if (rules.length === 0) return;
    const ctx = this.conditionContext(change);
    const target: Target = { orgId: change.orgId, incidentId: change.incidentId, table: change.table, rowId: change.rowId };
    for (const rule of rules) {
      let fires: boolean;
      try {
        fires = ruleConditionsHold(rule, ctx);
      } catch (err) {
        this.ruleErrors.push(`rule '${String(rule['name'])}': ${msg(err)}`);
        continue;
      }
      if (fires) this.fire(rule, target, change.principal, null);
    }
  }

  invokeAction(req: ActionInvocationRequest): ActionInvocationResult {
    const bad = (status: number, message: string): ActionInvocationResult => ({ ok: false, status, message });
    const b = req.body;
    if (!isJsonObject(b)) return bad(400, "An action invocation needs a JSON object {action_id, properties}");
    const actionId = b['action_id'];
    if (typeof actionId !== 'number' && !(typeof actionId === 'string' && /^\d+$/.test(actionId))) {
      return bad(400, "An action invocation needs a numeric 'action_id'");
    }
    const rule = this.state.rules.find((r) => String(r['id']) === String(actionId));
    if (!rule) return bad(404, `Action ${String(actionId)} not found`);
    const name = String(rule['name']);
    if (rule['type'] !== 1) return bad(400, `Action '${name}' is an automatic rule, not a menu item`);
    if (rule['enabled'] === false) return bad(400, `Action '${name}' is disabled`);
    const objectType = req.table ? req.table.name : 'incident';
    if (rule['object_type'] !== objectType) {
      return bad(400, `Action '${name}' is on '${String(rule['object_type'])}' objects, not on '${objectType}'`);
    }
    const props = b['properties'] ?? {};
    if (!isJsonObject(props)) return bad(400, "'properties' must be an object keyed by the rule's field names");
    const prompts = this.promptFields(rule);
    for (const k of Object.keys(props)) {
      if (!prompts.some((f) => f['name'] === k)) return bad(400, `Action '${name}' has no field '${k}'`);
    }
    for (const f of prompts) {
      if (f['required'] === 'always' && (props[String(f['name'])] === undefined || props[String(f['name'])] === null || props[String(f['name'])] === '')) {
        return bad(400, `Action '${name}': field '${String(f['name'])}' is required`);
      }
    }
    const current = this.currentObject(req);
    if (!current) return bad(404, 'The object no longer exists');
    const change: ObjectChange = {
      orgId: req.orgId, incidentId: req.incidentId, table: req.table, rowId: req.rowId, old: current, current, principal: req.principal,
    };
    try {
      if (!ruleConditionsHold(rule, this.conditionContext(change, false))) {
        return bad(400, `Action '${name}' is not available on this object: its conditions do not hold`);
      }
    } catch (err) {
      return bad(400, `Action '${name}' cannot be evaluated: ${msg(err)}`);
    }
    this.fire(rule, { orgId: req.orgId, incidentId: req.incidentId, table: req.table, rowId: req.rowId }, req.principal, props);
    return { ok: true, body: { action_id: Number(actionId), properties: props } };
  }

  incidentDeleted(_orgId: number, incidentId: number): void {
    for (const inst of this.instances) {
      if (inst.status === 'running' && inst.object.incidentId === incidentId) this.terminate(inst.id, `incident ${incidentId} was deleted`);
    }
  }

  instancesJson(orgId: number): JsonObject[] {
    return this.instances.filter((i) => i.orgId === orgId).map((i) => instanceJson(this.state, i));
  }

  // ---- rules ----

  private promptFields(rule: JsonObject): JsonObject[] {
    const items = Array.isArray(rule['view_items']) ? rule['view_items'].filter(isJsonObject) : [];
    const out: JsonObject[] = [];
    for (const v of items) {
      if (v['field_type'] !== 'actioninvocation') continue;
      const ref = String(v['content'] ?? '');
      const f = this.state.actionFields.find((x) => x['uuid'] === ref || x['name'] === ref);
      if (f) out.push(f);
    }
    return out;
  }

  private currentObject(t: { incidentId: number; table: TableDef | null; rowId: number | null }): JsonObject | null {
    const inc = this.state.incidents.get(t.incidentId);
    if (!inc) return null;
    if (!t.table) return inc;
    return this.state.rowsOf(t.incidentId, t.table).get(t.rowId ?? -1) ?? null;
  }

  private conditionContext(change: ObjectChange, added = change.old === null): ConditionContext {
    const state = this.state;
    const incident = change.table ? state.incidents.get(change.incidentId) ?? null : change.current;
    const oldIncident = change.table ? incident : change.old;
    const cell = (row: JsonObject | null, col: string): JsonValue | undefined => {
      const cells = row && isJsonObject(row['cells']) ? row['cells'] : null;
      const c = cells ? cells[col] : undefined;
      return isJsonObject(c) ? c['value'] : undefined;
    };
    return {
      added,
      field(name: string): FieldValues | null {
        let m: RegExpExecArray | null;
        if ((m = /^incident\.properties\.(.+)$/.exec(name))) {
          const k = m[1]!;
          const def = state.incidentFields.find((f) => f['prefix'] === 'properties' && f['name'] === k) ?? null;
          const props = incident && isJsonObject(incident['properties']) ? incident['properties'] : {};
          if (!def && !(k in props)) return null;
          const oldProps = oldIncident && isJsonObject(oldIncident['properties']) ? oldIncident['properties'] : {};
          return { old: oldIncident ? oldProps[k] : undefined, new: props[k], def };
        }
        if ((m = /^incident\.(.+)$/.exec(name))) {
          const k = m[1]!;
          const def = state.incidentFields.find((f) => f['prefix'] !== 'properties' && f['name'] === k) ?? null;
          if (!def && !(incident && k in incident)) return null;
          return { old: oldIncident ? oldIncident[k] : undefined, new: incident ? incident[k] : undefined, def };
        }
        const t = change.table;
        if (t && name.startsWith(`${t.name}.`)) {
          const col = name.slice(t.name.length + 1);
          if (t.columns && !t.columns.includes(col)) return null;
          const fields = t.type && isJsonObject(t.type['fields']) ? t.type['fields'] : {};
          const def = isJsonObject(fields[col]) ? (fields[col] as JsonObject) : null;
          return { old: cell(change.old, col), new: cell(change.current, col), def };
        }
        return null;
      },
    };
  }

  private fire(rule: JsonObject, target: Target, principal: JsonObject, ruleProperties: JsonObject | null): void {
    for (const wfName of Array.isArray(rule['workflows']) ? rule['workflows'] : []) {
      this.start(String(wfName), target, principal, String(rule['name']), ruleProperties);
    }
  }

  /** Starts one workflow instance (also usable directly by tests). */
  start(workflow: string, target: Target, principal: JsonObject, rule: string | null = null, ruleProperties: JsonObject | null = null): WorkflowInstance {
    const wf = findWorkflow(this.state, workflow);
    const table = target.table;
    const inst: WorkflowInstance = {
      id: this.seq++,
      orgId: target.orgId,
      workflow,
      workflowName: wf ? String(wf['name'] ?? workflow) : null,
      rule,
      object: {
        type: table ? table.name : 'incident',
        typeId: table ? table.id : 0,
        id: table ? target.rowId ?? -1 : target.incidentId,
        incidentId: target.incidentId,
        rowId: table ? target.rowId : null,
      },
      status: 'running',
      steps: [],
      results: {},
      error: null,
      ruleProperties: ruleProperties ? structuredClone(ruleProperties) : null,
      principal,
      startedAt: Date.now(),
      endedAt: null,
    };
    this.instances.push(inst);
    if (rule !== null) this.tokenRules.set(workflowContextToken(inst.id), rule);
    void this.run(inst, wf, target);
    return inst;
  }

  // ---- the runner ----

  private finish(inst: WorkflowInstance, status: InstanceStatus, error: string | null): void {
    if (inst.status !== 'running') return;
    inst.status = status;
    inst.error = error;
    inst.endedAt = Date.now();
    for (const s of inst.steps) {
      if (s.status === 'running') {
        s.status = 'failed';
        s.error = s.error ?? error;
        s.endedAt = Date.now();
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private waitUntil(pred: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      const check = (): void => {
        if (!pred()) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      this.listeners.add(check);
    });
  }

  private async run(inst: WorkflowInstance, wf: JsonObject | undefined, target: Target): Promise<void> {
    this.running++;
    const abort = new AbortController();
    this.aborts.set(inst.id, abort);
    try {
      await this.execute(inst, wf, target, abort.signal);
      this.finish(inst, 'completed', null);
    } catch (err) {
      this.finish(inst, 'failed', msg(err));
    } finally {
      this.aborts.delete(inst.id);
      this.running--;
      this.notify();
    }
  }

  private async execute(inst: WorkflowInstance, wf: JsonObject | undefined, target: Target, signal: AbortSignal): Promise<void> {
    if (!wf) throw new InstanceFailure(`workflow '${inst.workflow}' is not defined in SOAR`);
    const content = isJsonObject(wf['content']) ? wf['content'] : {};
    const xml = content['xml'];
    if (typeof xml !== 'string') throw new InstanceFailure(`workflow '${inst.workflow}' has no content.xml`);
    const proc = parseBpmnCached(xml);
    if (proc instanceof BpmnError) throw new InstanceFailure(`workflow '${inst.workflow}': ${proc.message}`);
    const wfType = String(wf['object_type'] ?? 'incident');
    if (wfType !== inst.object.type) {
      throw new InstanceFailure(`workflow '${inst.workflow}' is on '${wfType}' objects but was started on a '${inst.object.type}' object`);
    }
    if (proc.startIds.length !== 1) {
      throw new InstanceFailure(`workflow '${inst.workflow}' has ${proc.startIds.length} start events; the emulator runs exactly one`);
    }
    let node: BpmnNode = proc.nodes.get(proc.startIds[0]!)!;
    for (let count = 0; ; count++) {
      if (inst.status !== 'running') return;
      if (count > MAX_ELEMENTS) throw new InstanceFailure(`workflow '${inst.workflow}' ran more than ${MAX_ELEMENTS} elements (a loop?)`);
      switch (node.kind) {
        case 'startEvent':
          break;
        case 'endEvent':
          return;
        case 'serviceTask':
          if (node.resilientType === 'function' && node.fn) {
            await this.runFunction(inst, wf, node, node.fn, target, signal);
            break;
          }
          throw new InstanceFailure(
            `workflow '${inst.workflow}': element '${node.id}' (serviceTask, resilient:type ${JSON.stringify(node.resilientType)}) ` +
              'is not a function step with a <resilient:function>; the emulator runs only function steps',
          );
        default:
          throw new InstanceFailure(
            `workflow '${inst.workflow}': element '${node.id}' (${node.kind}${node.name ? ` '${node.name}'` : ''}) is not supported by the ` +
              'emulator (it runs start events, function steps and end events)',
          );
      }
      if (inst.status !== 'running') return;
      const out = proc.flows.filter((f) => f.source === node.id);
      if (out.length === 0) return; // the path ends here
      if (out.length > 1) {
        throw new InstanceFailure(`workflow '${inst.workflow}': element '${node.id}' has ${out.length} outgoing flows; the emulator follows one path only`);
      }
      if (out[0]!.conditional) {
        throw new InstanceFailure(`workflow '${inst.workflow}': sequence flow '${out[0]!.id}' has a condition, which the emulator does not evaluate`);
      }
      node = proc.nodes.get(out[0]!.target)!;
    }
  }

  private stepLabel(node: BpmnNode, fnName: string): string {
    return `step '${node.name ?? node.id}' (function '${fnName}')`;
  }

  private async runFunction(
    inst: WorkflowInstance, wf: JsonObject, node: BpmnNode, cfg: FunctionStepConfig, target: Target, signal: AbortSignal,
  ): Promise<void> {
    const fn = findFunctionByUuid(this.state, cfg.uuid);
    const step: WorkflowStepRecord = {
      elementId: node.id,
      name: node.name,
      function: fn ? String(fn['name']) : null,
      destination: fn ? String(fn['destination_handle'] ?? '') : null,
      correlationId: null,
      inputs: {},
      status: 'running',
      results: null,
      replyType: null,
      error: null,
      startedAt: Date.now(),
      endedAt: null,
    };
    inst.steps.push(step);
    const failStep = (message: string): never => {
      step.status = 'failed';
      step.error = message;
      step.endedAt = Date.now();
      throw new InstanceFailure(message);
    };
    if (!fn) return failStep(`step '${node.name ?? node.id}' calls function ${cfg.uuid}, which is not defined in SOAR`);
    const fnName = String(fn['name']);
    const label = this.stepLabel(node, fnName);
    const destination = String(fn['destination_handle'] ?? '');
    if (!this.state.findDestination(destination)) return failStep(`${label}: message destination '${destination}' is not defined in SOAR`);

    // inputs: static values, then the pre-processing script
    const inputNames = this.inputNames(fn);
    const inputs: JsonObject = {};
    for (const [fieldUuid, binding] of Object.entries(cfg.inputs)) {
      const field = this.state.functionFields.find((f) => f['uuid'] === fieldUuid);
      if (!field) return failStep(`${label}: input field ${fieldUuid} is not a function input defined in SOAR`);
      const name = String(field['name']);
      if (binding.input_type !== 'static') {
        return failStep(`${label}: input '${name}' uses input_type '${binding.input_type}'; the emulator supports static inputs and pre-processing scripts`);
      }
      let value: JsonValue | undefined;
      try {
        value = staticValue(field, binding.static_input ?? {});
      } catch (err) {
        return failStep(`${label}: input '${name}': ${msg(err)}`);
      }
      if (value !== undefined) inputs[name] = value;
    }
    let assignments: ScriptAssignment[];
    try {
      assignments = parsePreProcessingScript(cfg.preProcessingScript);
      for (const a of assignments) {
        if (inputNames && !inputNames.has(a.input)) throw new ScriptError(a.line, a.text, `'${a.input}' is not an input of function '${fnName}'`);
        inputs[a.input] = this.evaluate(a, inst, target);
      }
    } catch (err) {
      return failStep(`${label}: pre-processing script ${msg(err)}`);
    }
    step.inputs = structuredClone(inputs);

    if (!this.broker) {
      return failStep(
        `${label}: the emulator has no broker attached (SoarEmulator.start({ broker: { port } }) or emu.attachBroker(port)), so it cannot invoke '${fnName}'`,
      );
    }
    let invoker: SoarInvoker;
    try {
      invoker = await this.invoker(target.orgId, destination);
    } catch (err) {
      return failStep(`${label}: cannot connect to the broker on port ${this.broker.port}: ${msg(err)}`);
    }
    if (inst.status !== 'running') return;
    const correlationId = await invoker.invoke(fnName, inputs, {
      workflowInstanceId: inst.id,
      contextToken: workflowContextToken(inst.id),
      principalObject: inst.principal,
      functionObject: { id: fn['id'] ?? null, display_name: fn['display_name'] ?? fnName, name: fnName },
      workflowObject: {
        description: typeof wf['description'] === 'string' ? wf['description'] : null,
        name: wf['name'] ?? inst.workflow,
        object_type: { id: objectTypeId(this.state, String(wf['object_type'] ?? 'incident')) ?? inst.object.typeId, name: inst.object.type },
        programmatic_name: inst.workflow,
        workflow_id: wf['workflow_id'] ?? null,
      },
    });
    step.correlationId = correlationId;
    let reply;
    try {
      reply = await invoker.final(correlationId, this.stepTimeoutMs, signal);
    } catch (err) {
      if (inst.status !== 'running') return;
      return failStep(`${label}: no final reply: ${msg(err)}`);
    }
    if (inst.status !== 'running') return;
    const json = reply.json;
    if (!json) return failStep(`${label}: the final reply is not JSON: ${reply.raw.slice(0, 200)}`);
    step.replyType = json.message_type;
    if (json.message_type !== 0) return failStep(`${label} failed: ${json.message}`);
    const results = (json.results ?? null) as JsonValue;
    step.results = results;
    if (cfg.resultName) inst.results[cfg.resultName] = results;
    try {
      checkPostProcessingScript(cfg.postProcessingScript);
    } catch (err) {
      return failStep(`${label}: post-processing script ${msg(err)}`);
    }
    step.status = 'completed';
    step.endedAt = Date.now();
  }

  /** The function's input names (from view_items), or null when they are not all known. */
  private inputNames(fn: JsonObject): Set<string> | null {
    const items = Array.isArray(fn['view_items']) ? fn['view_items'].filter(isJsonObject) : [];
    if (items.length === 0) return null;
    const names = new Set<string>();
    for (const v of items) {
      if (v['field_type'] !== '__function') continue;
      const f = this.state.functionFields.find((x) => x['uuid'] === v['content']);
      if (!f) return null;
      names.add(String(f['name']));
    }
    return names;
  }

  /** One pre-processing assignment's value, read when the step runs. */
  private evaluate(a: ScriptAssignment, inst: WorkflowInstance, target: Target): JsonValue {
    const e = a.expr;
    const fail = (reason: string): never => {
      throw new ScriptError(a.line, a.text, reason);
    };
    switch (e.kind) {
      case 'literal':
        return e.value;
      case 'incident':
      case 'incident_property': {
        const inc = this.state.incidents.get(target.incidentId);
        if (!inc) return fail(`incident ${target.incidentId} no longer exists`);
        if (e.kind === 'incident') {
          if (!(e.field in inc)) return fail(`the incident has no field '${e.field}'`);
          return structuredClone(inc[e.field] as JsonValue);
        }
        const props = isJsonObject(inc['properties']) ? inc['properties'] : {};
        if (e.field in props) return structuredClone(props[e.field] as JsonValue);
        if (this.state.incidentFields.some((f) => f['prefix'] === 'properties' && f['name'] === e.field)) return null;
        return fail(`the incident has no custom field '${e.field}'`);
      }
      case 'row': {
        const t = target.table;
        if (!t || target.rowId === null) return fail("'row' exists only in workflows started on a datatable row");
        if (t.columns && !t.columns.includes(e.column)) return fail(`datatable '${t.name}' has no column '${e.column}'`);
        const row = this.state.rowsOf(target.incidentId, t).get(target.rowId);
        if (!row) return fail(`row ${target.rowId} of datatable '${t.name}' no longer exists`);
        const cells = isJsonObject(row['cells']) ? row['cells'] : {};
        const c = cells[e.column];
        return isJsonObject(c) ? structuredClone((c['value'] ?? null) as JsonValue) : null;
      }
      case 'rule_property': {
        if (!inst.ruleProperties || !inst.rule) return fail("'rule.properties' exists only when a menu-item rule started the workflow");
        const rule = findRule(this.state, inst.rule);
        const prompts = rule ? this.promptFields(rule).map((f) => String(f['name'])) : [];
        if (!prompts.includes(e.field) && !(e.field in inst.ruleProperties)) return fail(`rule '${inst.rule}' has no field '${e.field}'`);
        return structuredClone((inst.ruleProperties[e.field] ?? null) as JsonValue);
      }
    }
  }

  private brokerWire(): BrokerAttachment {
    if (!this.broker) throw new Error('no broker attached');
    return this.broker;
  }

  private invoker(orgId: number, destination: string): Promise<SoarInvoker> {
    const key = `${orgId}/${destination}`;
    let p = this.invokers.get(key);
    if (!p) {
      const b = this.brokerWire();
      p = SoarInvoker.connect({ ...b, orgId, destination });
      this.invokers.set(key, p);
      p.catch(() => {
        if (this.invokers.get(key) === p) this.invokers.delete(key);
      });
    }
    return p;
  }
}

/**
 * A static input's value as SOAR sends it: select -> {id, name}, multiselect -> [{id, name}],
 * rich text -> {format, content}, others as stored. undefined when no value is set.
 */
export function staticValue(field: JsonObject, s: JsonObject): JsonValue | undefined {
  const type = String(field['input_type'] ?? 'text');
  const choices = Array.isArray(field['values']) ? field['values'].filter(isJsonObject) : [];
  const choice = (uuid: JsonValue): JsonObject => {
    const c = choices.find((x) => x['uuid'] === uuid || String(x['value']) === String(uuid));
    if (!c) throw new Error(`value ${JSON.stringify(uuid)} is not one of the field's values`);
    return { id: c['value'] ?? null, name: c['label'] ?? null };
  };
  if (type === 'multiselect') {
    const v = s['multiselect_value'];
    if (!Array.isArray(v) || v.length === 0) return undefined;
    return v.map(choice);
  }
  if (s['select_value'] !== undefined && s['select_value'] !== null) return choice(s['select_value']);
  for (const k of ['boolean_value', 'number_value', 'text_value', 'text_content_value', 'date_value', 'datetime_value']) {
    if (s[k] !== undefined && s[k] !== null) return structuredClone(s[k]);
  }
  return undefined;
}

/** A workflow instance as `GET /workflow_instances` shows it (the emulator's rendering). */
function instanceJson(state: EmulatorState, i: WorkflowInstance): JsonObject {
  const wf = findWorkflow(state, i.workflow);
  return {
    workflow_instance_id: i.id,
    workflow: {
      workflow_id: wf?.['workflow_id'] ?? null,
      programmatic_name: i.workflow,
      name: i.workflowName,
      object_type: { id: i.object.typeId, name: i.object.type },
    },
    object: { id: i.object.id, type_id: i.object.typeId, type_name: i.object.type, inc_id: i.object.incidentId },
    status: i.status,
    rule: i.rule,
    start_date: i.startedAt,
    end_date: i.endedAt,
    error: i.error,
    results: structuredClone(i.results),
  };
}
