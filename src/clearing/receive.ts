/**
 * The receiving side of the distribution flow: a whitelisted copy of another brand's incident
 * becomes (or refreshes) an incident in one of this node's brands' SOAR.
 *
 * Idempotence without storage on the node: the copy carries its origin in the custom fields
 * `clearing_origin_brand` and `clearing_origin_incident_id`, and every delivery first looks
 * the copy up by those two fields (`POST /incidents/query_paged`). Not found: the incident is
 * created with the received fields, the origin fields and the owner/group of
 * `network.received`, then the task "Acknowledge received incident", the received notes,
 * artifacts, attachments and tasks, and last a note naming the origin and what was filtered
 * out. Found: its fields are updated (GET, apply, PUT; a 409 re-reads), and only notes
 * (compared by their text), artifacts (by type and value), attachments (by name and size) and
 * tasks (by name) not there yet are added. The origin note and the task are added once: a
 * delivery interrupted half-way is completed by the next one.
 *
 * Concurrency, also between the two nodes of a region (two processes with the same config
 * behind one peer address), with SOAR as the only place anything is kept:
 * - one copy: SOAR cannot create "if absent", so a delivery that created a copy looks again
 *   (check after write). Several copies of one origin: the lowest id is the copy; a delivery
 *   whose new copy is not the lowest deletes it and carries on into the lowest, answering its
 *   id. A copy left over by a node killed between the create and the check is deleted by the
 *   next delivery that finds it (once its claim has run out);
 * - one writer at a time on a copy: a delivery claims the copy in the incident field
 *   `clearing_delivery_claim` (`<delivery> <until>`), written with the incident's `vers`, so of
 *   two claims at once SOAR takes one and answers the other 409 (it reads again and finds the
 *   copy claimed). A claimed copy is waited for; the claim is renewed as the delivery goes and
 *   cleared at its end, and one left by a killed node runs out after CLAIM_TTL_MS (10 s, so the
 *   nodes' clocks must agree to a second or two: NTP). A new copy is created claimed. So notes,
 *   artifacts, tasks and the origin note are compared with what is there and added once;
 * - inside one process, deliveries of the same copy also queue on a keyed mutex: not needed for
 *   correctness, it saves them polling SOAR for each other's claims.
 * A SOAR whose customization predates the claim field gets one copy still, but two nodes
 * refreshing it at the same moment may add a note twice (logged once: run customize).
 *
 * What the receiving SOAR decides alone, whatever the sender's whitelist allows:
 * - custom fields it does not define are left out (named in the origin note), and so are
 *   built-in fields it does not list or marks read-only (`GET /types/incident/fields`, read
 *   once per delivery);
 * - select, multiselect, incident type, severity and phase values (sent as names) are mapped
 *   onto its own definitions by name; values it does not define are left out and named in the
 *   origin note (value-map.ts), so an unknown value never fails a delivery;
 * - ownership and lifecycle: `owner_id` and `members` come from `network.received` on
 *   creation and are never touched later; `plan_status`, `end_date`, `resolution_id` and
 *   `resolution_summary` are never copied (the receiving brand closes its copy itself);
 * - received tasks are created as optional tasks, once per name; tasks already closed at the
 *   origin are not created (counted in the origin note). Attachments are uploaded with their
 *   content, which the sender includes only when its whitelist lets content leave; one received
 *   without content, or refused by SOAR, is counted in the origin note.
 *
 * Owner and group (SOAR object handles, resolved by name): `received.owner` (an email) becomes
 * `owner_id`; `received.group` (a group name) becomes `members: [group]`, and `owner_id` too
 * when no owner is configured (a SOAR incident may be owned by a group). One the org does not
 * know (the org object's users and groups) is left out and named in the origin note.
 */
import { randomBytes } from 'node:crypto';
import { INCIDENT_FIELD } from '../../customize/fields.js';
import { ACKNOWLEDGE_RECEIVED_INCIDENT_TASK as ACK_TASK } from '../../customize/tasks.js';
import { sleep } from '../core/backoff.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import { decodeEntities, escapeText } from '../core/escape-html.js';
import type { SoarClient } from '../soar/client.js';
import { SoarRequestError } from '../soar/errors.js';
import type { Incident, IncidentCreate, Note, QueryPagedRequest, TextContent } from '../soar/dto.js';
import type { JsonObject, JsonValue, Logger } from '../core/types.js';
import type { DistributeAnswer, DistributeBody, DistributeOrigin } from './contracts/distribute.js';
import type { DroppedCounts } from './contracts/wire-bundle.js';
import type { ClearingNetwork } from './network.js';
import { mapIncidentValues, type OrgDefinitions, principalIn, readDefinitions } from './value-map.js';
import { type DroppedSummary, describeDropped } from './whitelist.js';

/** Counts back into the DroppedSummary shape describeDropped reads (it reads the lists' lengths only). */
function summaryOf(counts: DroppedCounts): DroppedSummary {
  const unnamed = (n: number): string[] => new Array<string>(Math.max(0, n)).fill('');
  return {
    incidentFields: unnamed(counts.incident_fields),
    properties: unnamed(counts.properties),
    notes: counts.notes,
    artifacts: counts.artifacts,
    attachments: counts.attachments,
    tasks: counts.tasks,
    truncatedValues: counts.truncated_values,
    untypedValues: counts.untyped_values ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Keyed mutex

/** Runs functions with the same key one after the other (in-process only: an optimisation, see above). */
class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with a holder or waiters (for tests). */
  get size(): number {
    return this.tails.size;
  }
}

const deliveries = new KeyedMutex();

// ---------------------------------------------------------------------------------------------
// The claim on a copy (in SOAR)

const CLAIM = INCIDENT_FIELD.deliveryClaim.name;
/**
 * How long a claim holds unless renewed: a delivery renews it as it goes (every third of this),
 * so only a claim left by a killed node runs out, and a delivery waiting for it still gets its
 * answer within the sender's default timeout (network.timeout_s 15).
 */
const CLAIM_TTL_MS = 10_000;
/** Waits between looks at a copy another delivery holds (the last one repeats). */
const CLAIM_WAITS_MS = [15, 30, 60, 100, 150, 200];

interface Claim {
  readonly holder: string;
  readonly until: number;
}

function parseClaim(v: JsonValue | undefined): Claim | null {
  if (typeof v !== 'string') return null;
  const m = /^(\S+) (\d+)$/.exec(v.trim());
  return m ? { holder: m[1]!, until: Number(m[2]) } : null;
}

/** The claim on `incident` by a delivery other than `holder` that still holds, or null. */
function heldByOther(incident: Incident, holder: string | null): Claim | null {
  const claim = parseClaim(incident.properties?.[CLAIM]);
  return claim !== null && claim.holder !== holder && claim.until > Date.now() ? claim : null;
}

/** One delivery's claim on the copy it writes into (see the module comment). */
class CopyClaim {
  /** The copy claimed, or null. */
  private id: number | null = null;
  private since = 0;
  readonly holder: string;

  constructor(nodeId: string, private readonly soar: SoarClient, private readonly signal?: AbortSignal) {
    this.holder = `${nodeId}/${process.pid}/${randomBytes(4).toString('hex')}`;
  }

  /** The field value of a claim made now. */
  value(): string {
    return `${this.holder} ${Date.now() + CLAIM_TTL_MS}`;
  }

  /** Marks copy `id` as claimed: it was created with value(). */
  created(id: number): void {
    this.id = id;
    this.since = Date.now();
  }

  /** Forgets the claim on a copy that was dropped. */
  dropped(): void {
    this.id = null;
  }

  /** Claims copy `id`, waiting while another delivery holds it. */
  async take(id: number): Promise<void> {
    for (let round = 0; ; round++) {
      let held: Claim | null = null;
      await this.soar.updateIncident(id, (incident) => {
        held = heldByOther(incident, this.holder);
        return held === null ? { ...incident, properties: { ...incident.properties, [CLAIM]: this.value() } } : null;
      }, this.signal ? { signal: this.signal } : {});
      if (held === null) {
        this.created(id);
        return;
      }
      await sleep(CLAIM_WAITS_MS[Math.min(round, CLAIM_WAITS_MS.length - 1)]!, this.signal);
    }
  }

  /** Renews the claim when a third of its time has gone; a claim lost meanwhile (taken over) fails the delivery. */
  async keep(): Promise<void> {
    const id = this.id;
    if (id === null || Date.now() - this.since < CLAIM_TTL_MS / 3) return;
    let lost = false;
    await this.soar.updateIncident(id, (incident) => {
      lost = heldByOther(incident, this.holder) !== null;
      return lost ? null : { ...incident, properties: { ...incident.properties, [CLAIM]: this.value() } };
    }, this.signal ? { signal: this.signal } : {});
    if (lost) {
      this.id = null;
      throw new ClearingError(ErrorCode.SoarConflict, `another delivery took over incident ${id} while this one was writing into it; send it again`, { httpStatus: 503, retryable: true });
    }
    this.since = Date.now();
  }

  /** Clears this delivery's claim (never another's). Best effort: an uncleared claim runs out. */
  async release(log: Logger | undefined): Promise<void> {
    const id = this.id;
    if (id === null) return;
    this.id = null;
    try {
      await this.soar.updateIncident(id, (incident) =>
        parseClaim(incident.properties?.[CLAIM])?.holder === this.holder ? { ...incident, properties: { ...incident.properties, [CLAIM]: null } } : null);
    } catch (err) {
      log?.warn('could not clear the delivery claim on a received copy; it runs out by itself', { incident_id: id, error: message(err) });
    }
  }
}

/** Brands already warned about a missing claim field (a warning, not state: nothing depends on it). */
const unclaimedWarned = new Set<string>();


// ---------------------------------------------------------------------------------------------
// Receiving


/** Incident fields a copy never takes from the sender (see the module comment). */
const NOT_COPIED_FIELDS: readonly string[] = Object.freeze([
  'id', 'vers', 'org_id', 'create_date', 'creator_id', 'creator', 'creator_principal', 'inc_last_modified_date', 'perms',
  'owner_id', 'members', 'plan_status', 'end_date', 'resolution_id', 'resolution_summary',
]);
const NOT_COPIED = new Set(NOT_COPIED_FIELDS);

export interface ReceiveOptions {
  readonly signal?: AbortSignal;
  readonly log?: Logger;
}

/** What a delivery left out or could not add on this side (for the origin note). */
interface LocalLosses {
  unknownProperties: string[];
  unknownFields: string[];
  /** `field: value` of handles this SOAR does not define (select values, types, owner...). */
  unknownValues: string[];
  failedNotes: number;
  failedArtifacts: string[];
  failedTasks: number;
  attachments: number;
  closedTasks: number;
}

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A rich-text or plain value as its text. */
function textOf(v: JsonValue | undefined): string | null {
  if (typeof v === 'string') return v;
  if (isObj(v) && typeof v['content'] === 'string') return v['content'];
  return null;
}

/** Text compared for note dedupe: tags dropped, common entities decoded, blanks collapsed. */
function noteKey(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

function artifactKey(type: JsonValue | undefined, value: JsonValue | undefined): string {
  const t = typeof type === 'string' || typeof type === 'number' ? String(type) : isObj(type) && typeof type['name'] === 'string' ? type['name'] : '';
  return `${t.trim().toLowerCase()}\u0000${typeof value === 'string' ? value : JSON.stringify(value ?? null)}`;
}

/**
 * The received incident's fields this SOAR takes, top-level and custom, with their handles
 * mapped onto its definitions; the rest listed in `losses`.
 */
function writableFields(incident: JsonObject, fields: OrgDefinitions, losses: LocalLosses): { top: JsonObject; props: JsonObject } {
  const top: JsonObject = {};
  for (const [k, v] of Object.entries(incident)) {
    if (k === 'properties' || NOT_COPIED.has(k)) continue;
    if (!fields.builtin.has(k)) {
      losses.unknownFields.push(k);
      continue;
    }
    // SOAR takes rich text as {format, content}; a GET answers it as the HTML string.
    top[k] = k === 'description' && typeof v === 'string' ? { format: 'html', content: v } : v;
  }
  const props: JsonObject = {};
  const received = isObj(incident['properties']) ? incident['properties'] : {};
  for (const [k, v] of Object.entries(received)) {
    if (k === INCIDENT_FIELD.originBrand.name || k === INCIDENT_FIELD.originIncidentId.name || k === CLAIM) continue; // set here, never received
    if (!fields.custom.has(k)) {
      losses.unknownProperties.push(k);
      continue;
    }
    props[k] = v;
  }
  mapIncidentValues(fields, top, props, losses.unknownValues);
  return { top, props };
}

/** The query finding the copies of an origin incident (oldest first): the only "storage" of the flow. */
export function copiesQuery(originBrand: string, originIncidentId: number): QueryPagedRequest {
  return {
    filters: [{
      conditions: [
        { field_name: `properties.${INCIDENT_FIELD.originBrand.name}`, method: 'equals', value: originBrand },
        { field_name: `properties.${INCIDENT_FIELD.originIncidentId.name}`, method: 'equals', value: String(originIncidentId) },
      ],
    }],
    sorts: [{ field_name: 'id', type: 'asc' }],
    start: 0,
    length: 10,
  };
}

/** The ids of the copies of `origin` in `soar`, lowest first, with the incidents as the query answered them. */
async function copiesOf(soar: SoarClient, origin: DistributeOrigin, signal?: AbortSignal): Promise<Incident[]> {
  const answer = await soar.queryIncidentsPaged(copiesQuery(origin.brand, origin.incident_id), { returnLevel: 'normal', ...(signal ? { signal } : {}) });
  return answer.data.filter((i) => typeof i.id === 'number').sort((a, b) => a.id - b.id);
}

/**
 * Removes a copy that is not the copy of its origin (a higher id): deleted, or, when SOAR refuses
 * that, unmarked (origin fields cleared) so that nothing takes it for a copy again.
 */
async function dropDuplicate(soar: SoarClient, id: number, keep: number, origin: DistributeOrigin, log: Logger | undefined): Promise<void> {
  try {
    await soar.deleteIncident(id);
    log?.info('duplicate copy deleted', { incident_id: id, copy: keep, origin_brand: origin.brand, origin_incident_id: origin.incident_id });
  } catch (err) {
    if (err instanceof SoarRequestError && err.status === 404) return; // dropped by another delivery already
    log?.warn(`duplicate copy ${id} could not be deleted (${message(err)}); its origin fields are cleared instead: delete it by hand`, { incident_id: id, copy: keep });
    await soar.updateIncident(id, (incident) => {
      const props = incident.properties ?? {};
      const unmarked: JsonObject = { ...props, [INCIDENT_FIELD.originBrand.name]: null, [INCIDENT_FIELD.originIncidentId.name]: null };
      if (CLAIM in props) unmarked[CLAIM] = null;
      return { ...incident, properties: unmarked };
    });
  }
}

/**
 * The copy of `origin` in `soar`, or null. Several: the lowest id is the copy, and a higher one
 * whose claim ran out (left by a node killed before it could check) is dropped; one still
 * claimed is its creator's to drop.
 */
async function findCopy(soar: SoarClient, origin: DistributeOrigin, log: Logger | undefined, signal?: AbortSignal): Promise<number | null> {
  const [first, ...others] = await copiesOf(soar, origin, signal);
  for (const other of others) {
    if (heldByOther(other, null) !== null) continue;
    await dropDuplicate(soar, other.id, first!.id, origin, log);
  }
  return first?.id ?? null;
}

/** After creating copy `mine`: the copy of `origin` (the lowest id); `mine` is dropped when it is not. */
async function settleCopy(soar: SoarClient, origin: DistributeOrigin, mine: number, log: Logger | undefined, signal?: AbortSignal): Promise<number> {
  const lowest = (await copiesOf(soar, origin, signal))[0]?.id ?? mine;
  if (lowest >= mine) return mine;
  await dropDuplicate(soar, mine, lowest, origin, log);
  return lowest;
}

function originLine(origin: DistributeOrigin): string {
  return `Received from brand ${origin.brand} (node ${origin.node}), incident ${origin.incident_id}, through the clearing network.`;
}

function originNoteHtml(origin: DistributeOrigin, dropped: DroppedCounts, losses: LocalLosses): string {
  const filtered = describeDropped(summaryOf(dropped));
  const parts = [`<p>${escapeText(originLine(origin))} ${escapeText(filtered.charAt(0).toUpperCase() + filtered.slice(1))}.</p>`];
  const here: string[] = [];
  if (losses.unknownProperties.length > 0) {
    here.push(`${losses.unknownProperties.length} custom field(s) this SOAR does not define (${losses.unknownProperties.map(escapeText).join(', ')})`);
  }
  if (losses.unknownFields.length > 0) {
    here.push(`${losses.unknownFields.length} field(s) this SOAR does not accept (${losses.unknownFields.map(escapeText).join(', ')})`);
  }
  if (losses.unknownValues.length > 0) {
    here.push(`${losses.unknownValues.length} value(s) this SOAR does not define (${losses.unknownValues.map(escapeText).join('; ')})`);
  }
  if (losses.attachments > 0) here.push(`${losses.attachments} attachment(s) without content or refused by SOAR`);
  if (losses.closedTasks > 0) here.push(`${losses.closedTasks} task(s) already closed at the origin`);
  if (losses.failedNotes > 0) here.push(`${losses.failedNotes} note(s) SOAR refused`);
  if (losses.failedArtifacts.length > 0) here.push(`${losses.failedArtifacts.length} artifact(s) SOAR refused (${losses.failedArtifacts.map(escapeText).join('; ')})`);
  if (losses.failedTasks > 0) here.push(`${losses.failedTasks} task(s) SOAR refused`);
  if (here.length > 0) parts.push(`<p>Not kept by this SOAR: ${here.join(', ')}.</p>`);
  return parts.join('\n');
}

function isOriginNote(note: Note, origin: DistributeOrigin): boolean {
  const text = textOf(note.text as JsonValue);
  return text !== null && noteKey(text).startsWith(`Received from brand ${origin.brand} (node `) && noteKey(text).includes(`incident ${origin.incident_id},`);
}

/** The owner_id / members of a new copy, from `network.received`, as this org names them (unknown ones in `losses`). */
function ownership(network: ClearingNetwork, defs: OrgDefinitions, losses: LocalLosses): { owner_id?: string; members?: string[] } {
  const received = network.config.network?.received ?? { owner: null, group: null };
  const known = (what: 'owner' | 'group', handle: string | null): string | null => {
    const hit = handle === null ? null : principalIn(defs, handle);
    if (handle !== null && hit === null) losses.unknownValues.push(`owner_id: ${handle} (network.received.${what})`);
    return hit;
  };
  const owner = known('owner', received.owner);
  const group = known('group', received.group);
  const out: { owner_id?: string; members?: string[] } = {};
  if (owner !== null) out.owner_id = owner;
  else if (group !== null) out.owner_id = group;
  if (group !== null) out.members = [group];
  return out;
}

/**
 * Creates or updates the copy described by `body` in `brand`'s SOAR (one of this node's
 * brands). Throws a ClearingError when SOAR refuses or cannot be reached, or when the brand's
 * SOAR lacks the clearing customization.
 */
export async function receiveCopy(network: ClearingNetwork, brand: string, body: DistributeBody, opts: ReceiveOptions = {}): Promise<DistributeAnswer> {
  if (!network.isLocal(brand)) {
    throw new ClearingError(ErrorCode.Forbidden, `brand '${brand}' is not served by node '${network.nodeId}'`, { httpStatus: 403 });
  }
  const soar = network.soarOf(brand);
  const key = `${brand}\u0000${body.origin.brand}\u0000${body.origin.incident_id}`;
  return deliveries.run(key, async () => {
    const claim = new CopyClaim(network.nodeId, soar, opts.signal);
    try {
      return await deliver(network, soar, brand, body, opts, claim);
    } finally {
      await claim.release(opts.log);
    }
  });
}

async function deliver(network: ClearingNetwork, soar: SoarClient, brand: string, body: DistributeBody, opts: ReceiveOptions, claim: CopyClaim): Promise<DistributeAnswer> {
  const { signal, log } = opts;
  const ro = signal ? { signal } : {};
  const { origin } = body;
  const fields = await readDefinitions(soar, signal);
  for (const name of [INCIDENT_FIELD.originBrand.name, INCIDENT_FIELD.originIncidentId.name]) {
    if (!fields.custom.has(name)) {
      throw new ClearingError(
        ErrorCode.SoarRequest,
        `the SOAR of brand '${brand}' does not define the incident field properties.${name}: run 'soar-clearing customize' for it`,
        { httpStatus: 503 },
      );
    }
  }
  const losses: LocalLosses = {
    unknownProperties: [], unknownFields: [], unknownValues: [], failedNotes: 0, failedArtifacts: [], failedTasks: 0,
    attachments: 0, closedTasks: 0,
  };
  const { top, props } = writableFields(body.incident, fields, losses);
  const originProps: JsonObject = { [INCIDENT_FIELD.originBrand.name]: origin.brand, [INCIDENT_FIELD.originIncidentId.name]: String(origin.incident_id) };

  // Without the claim field (customization older than it) deliveries go unclaimed.
  const claims = fields.custom.has(CLAIM);
  if (!claims && !unclaimedWarned.has(brand)) {
    unclaimedWarned.add(brand);
    log?.warn(`the SOAR of brand '${brand}' does not define the incident field properties.${CLAIM}: two nodes serving it may add a received note twice; run 'soar-clearing customize' for it`, { brand });
  }
  const existing = await findCopy(soar, origin, log, signal);
  let incidentId: number;
  let created = false;
  if (existing === null) {
    const name = typeof top['name'] === 'string' && top['name'].trim() !== '' ? top['name'] : `Incident ${origin.incident_id} of brand ${origin.brand}`;
    const discovered = typeof top['discovered_date'] === 'number' ? top['discovered_date'] : Date.now();
    const claimProp: JsonObject = claims ? { [CLAIM]: claim.value() } : {};
    const dto: IncidentCreate = { ...top, name, discovered_date: discovered, ...ownership(network, fields, losses), properties: { ...props, ...originProps, ...claimProp } };
    // Not retried once sent (a POST): if the answer is lost, the next delivery finds the copy.
    const incident = await soar.createIncident(dto, ro);
    if (claims) claim.created(incident.id);
    // Checked after the write: another delivery (the region's other node) may have created one too.
    incidentId = await settleCopy(soar, origin, incident.id, log, signal);
    created = incidentId === incident.id;
    if (created) log?.info('received copy created', { brand, incident_id: incidentId, origin_brand: origin.brand, origin_incident_id: origin.incident_id });
    else claim.dropped(); // with the duplicate
  } else {
    incidentId = existing;
  }
  if (!created) {
    if (claims) await claim.take(incidentId);
    // Read and written with names, as the wanted values are (IBM's SOAR-to-SOAR sync does the same).
    await soar.updateIncident(incidentId, (current: Incident) => {
      const currentProps = isObj(current.properties) ? current.properties : {};
      const wanted: JsonObject = { ...top };
      const wantedProps: JsonObject = { ...props, ...originProps };
      const same = (a: JsonValue | undefined, b: JsonValue | undefined): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
      const sameText = (a: JsonValue | undefined, b: JsonValue | undefined): boolean => {
        const ta = textOf(a);
        const tb = textOf(b);
        return ta !== null && tb !== null ? ta === tb : same(a, b);
      };
      const changed =
        Object.entries(wanted).some(([k, v]) => (k === 'description' ? !sameText(current[k], v) : !same(current[k], v))) ||
        Object.entries(wantedProps).some(([k, v]) => !same(currentProps[k], v));
      if (!changed) return null;
      return { ...current, ...wanted, properties: { ...currentProps, ...wantedProps } };
    }, { ...ro, query: { handle_format: 'names' } });
    log?.info('received copy updated', { brand, incident_id: incidentId, origin_brand: origin.brand, origin_incident_id: origin.incident_id });
  }

  // The task, once (a delivery interrupted before it left none).
  await claim.keep();
  const tasks = created ? [] : await soar.listIncidentTasks(incidentId, ro);
  const taskNames = new Set(tasks.map((t) => t.name));
  if (!taskNames.has(ACK_TASK.name)) {
    await soar.createTask(incidentId, { name: ACK_TASK.name, instructions: ACK_TASK.instructions, phase_id: ACK_TASK.phase, required: !ACK_TASK.optional }, ro);
    taskNames.add(ACK_TASK.name);
  }

  // Notes not there yet, compared by their text.
  const notes = created ? [] : await soar.listNotes(incidentId, ro);
  const noteKeys = new Set(notes.map((n) => textOf(n.text as JsonValue)).filter((t): t is string => t !== null).map(noteKey));
  for (const note of body.notes) {
    await claim.keep();
    const text = textOf(note['text']);
    if (text === null || text.trim() === '') continue;
    const k = noteKey(text);
    if (noteKeys.has(k)) continue;
    try {
      await soar.addNote(incidentId, text, ro);
      noteKeys.add(k);
    } catch (err) {
      if (signal?.aborted) throw err;
      losses.failedNotes += 1;
      log?.warn('received note refused by SOAR', { brand, incident_id: incidentId, error: message(err) });
    }
  }

  // Artifacts not there yet, compared by type and value.
  const artifacts = created ? [] : await soar.listArtifacts(incidentId, { ...ro, query: { handle_format: 'names' } });
  const artifactKeys = new Set(artifacts.map((a) => artifactKey(a.type, a.value)));
  for (const artifact of body.artifacts) {
    await claim.keep();
    const type = artifact['type'];
    const value = artifact['value'];
    if ((typeof type !== 'string' && typeof type !== 'number') || typeof value !== 'string' || value === '') continue;
    const k = artifactKey(type, value);
    if (artifactKeys.has(k)) continue;
    try {
      await soar.addArtifact(incidentId, { type, value, description: textOf(artifact['description']) }, ro);
      artifactKeys.add(k);
    } catch (err) {
      if (signal?.aborted) throw err;
      losses.failedArtifacts.push(`${String(type)}: ${message(err)}`);
      log?.warn('received artifact refused by SOAR', { brand, incident_id: incidentId, error: message(err) });
    }
  }

  // Attachments with their content (when the sender's whitelist lets content go), once per name and size.
  const present = body.attachments.length === 0 || created ? [] : await soar.listAttachments(incidentId, ro);
  const attachmentKeys = new Set(present.map((a) => `${a.name}\u0000${a.size}`));
  for (const attachment of body.attachments) {
    await claim.keep();
    const name = attachment['name'];
    const content = attachment['content'];
    if (typeof name !== 'string' || name === '' || typeof content !== 'string') {
      losses.attachments += 1;
      continue;
    }
    const data = Buffer.from(content, 'base64');
    const k = `${name}\u0000${data.length}`;
    if (attachmentKeys.has(k)) continue;
    try {
      const type = attachment['content_type'];
      await soar.addAttachment(incidentId, { name, contentType: typeof type === 'string' && type ? type : 'application/octet-stream', content: data }, ro);
      attachmentKeys.add(k);
    } catch (err) {
      if (signal?.aborted) throw err;
      losses.attachments += 1;
      log?.warn('received attachment refused by SOAR', { brand, incident_id: incidentId, error: message(err) });
    }
  }

  // Received tasks (when the sender's whitelist includes them): optional, once per name, open ones only.
  for (const task of body.tasks) {
    await claim.keep();
    const name = task['name'];
    if (typeof name !== 'string' || name.trim() === '' || taskNames.has(name)) continue;
    if (task['status'] === 'C') {
      losses.closedTasks += 1;
      continue;
    }
    const instructions = task['instructions'];
    try {
      await soar.createTask(incidentId, {
        name,
        required: false,
        ...(typeof instructions === 'string' || isObj(instructions) ? { instructions: instructions as string | TextContent } : {}),
        ...(typeof task['due_date'] === 'number' ? { due_date: task['due_date'] } : {}),
      }, ro);
      taskNames.add(name);
    } catch (err) {
      if (signal?.aborted) throw err;
      losses.failedTasks += 1;
      log?.warn('received task refused by SOAR', { brand, incident_id: incidentId, error: message(err) });
    }
  }

  // The note naming the origin, once; last, so that it accounts for what this SOAR refused.
  await claim.keep();
  if (created || !notes.some((n) => isOriginNote(n, origin))) {
    await soar.addNote(incidentId, originNoteHtml(origin, body.dropped, losses), ro);
  }
  return { remote_incident_id: incidentId, created };
}
