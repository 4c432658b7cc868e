/**
 * The whitelist filter, by example: SOAR's incident (the project's fixture) under the default whitelist,
 * custom fields, child limits, truncation, artifact types, the total size limit, names that
 * could pollute prototypes, input immutability, the YAML form and describeDropped's wording.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import {
  type BundleAttachment,
  type DroppedSummary,
  type IncidentBundle,
  TRUNCATION_MARKER,
  applyWhitelist,
  describeDropped,
} from '../../src/clearing/whitelist.js';
import {
  DEFAULT_WHITELIST,
  DEFAULT_WHITELIST_YAML,
  type Whitelist,
  compileWhitelist,
  whitelistJsonSchema,
  whitelistProblems,
} from '../../src/config/whitelist.js';
import { ConfigError } from '../../src/core/errors.js';
import type { Artifact, Incident, Note, Task } from '../../src/soar/dto.js';
import { readFixture } from '../support/shape.js';

/** SOAR's answers as the project's fixtures hold them (test/fixtures/soar/). */
const sampleIncident = (): Incident => readFixture('incident-ids').body as unknown as Incident;
const sampleAttachments = (): BundleAttachment[] => readFixture('attachments').body as unknown as BundleAttachment[];

function note(id: number, text: Note['text'], extra: Partial<Note> = {}): Note {
  return { id, text, create_date: 1_700_000_000_000 + id, user_id: 3, parent_id: null, inc_id: 2314, ...extra };
}

function artifact(id: number, type: Artifact['type'], value: string, extra: Partial<Artifact> = {}): Artifact {
  return { id, type, value, description: null, inc_id: 2314, created: 1_700_000_000_000 + id, creator_principal: { id: 3, type: 'user', name: 'a@example.com', display_name: 'A' }, ...extra };
}

function task(id: number, name: string): Task {
  return { id, name, inc_id: 2314, status: 'O', instructions: '<p>do it</p>', required: false, due_date: null, owner_id: 3, phase_id: 1002 };
}

/** The default whitelist with some keys of the YAML form changed. */
const wl = (raw: Record<string, unknown>): Whitelist => compileWhitelist(raw);

describe('whitelist: SOAR\'s incident', () => {
  it('keeps exactly the default fields, with their values', () => {
    const incident = sampleIncident();
    const result = applyWhitelist({ incident }, DEFAULT_WHITELIST);
    const expected = DEFAULT_WHITELIST.incident_fields.filter((name) => Object.hasOwn(incident, name));
    assert.deepEqual(Object.keys(result.incident).sort(), [...expected, 'properties'].sort());
    for (const name of expected) assert.deepEqual(result.incident[name], incident[name], name);
    assert.deepEqual(result.incident.properties, {});
    assert.equal(result.incident.name, 'Suspicious login to the payroll portal');
    assert.equal(result.incident.severity_code, 51);
  });

  it('reports every other field by name, and nothing sensitive survives', () => {
    const incident = sampleIncident();
    const result = applyWhitelist({ incident }, DEFAULT_WHITELIST);
    const others = Object.keys(incident).filter((name) => name !== 'properties' && !DEFAULT_WHITELIST.incident_fields.includes(name));
    assert.deepEqual(result.dropped.incidentFields, others);
    for (const name of ['id', 'org_id', 'vers', 'creator', 'members', 'perms', 'owner_id', 'creator_id', 'pii', 'hipaa']) {
      assert.ok(result.dropped.incidentFields.includes(name), name);
      assert.ok(!(name in result.incident), name);
    }
    assert.deepEqual(result.dropped.properties, ['reference_code', 'internal_notes']);
    const text = JSON.stringify({ ...result, dropped: null });
    for (const secret of ['Reset the account', 'EX-4711', '2201', '"301"', '"vers"']) {
      assert.ok(!text.includes(secret), secret);
    }
  });

  it('allows more fields when listed, and never `properties` as a field; an object value is of no SOAR field type', () => {
    const result = applyWhitelist({ incident: sampleIncident() }, wl({ incident_fields: ['name', 'city', 'country', 'start_date', 'regulators'] }));
    assert.deepEqual(result.incident, { name: 'Suspicious login to the payroll portal', city: 'Lyon', country: null, start_date: null, properties: {} });
    assert.equal(result.dropped.untypedValues, 1, 'regulators ({ids: [...]}) is dropped and counted');
  });

  it('keeps the attachment sample fields listed, and drops attachments by default', () => {
    const attachments = sampleAttachments();
    assert.equal(applyWhitelist({ incident: sampleIncident(), attachments }, DEFAULT_WHITELIST).dropped.attachments, 2);
    const result = applyWhitelist({ incident: sampleIncident(), attachments }, wl({ attachments: { include: true } }));
    assert.deepEqual(result.attachments, [
      { name: 'headers.eml', content_type: 'message/rfc822', created: 1764000700000, size: 5120 },
      { name: 'login-report.csv', content_type: 'text/csv', created: 1764000750000, size: 812 },
    ]);
  });
});

describe('whitelist: custom fields', () => {
  it('keeps only the listed custom fields, and of those only values of a SOAR field type', () => {
    const incident = sampleIncident();
    incident.properties = { ...incident.properties, nested: { a: [1, { b: 'c' }] }, sectors: ['Finance', 7], other: 'x' };
    const result = applyWhitelist({ incident }, wl({ properties: ['internal_notes', 'nested', 'sectors', 'absent'] }));
    assert.deepEqual(result.incident.properties, { internal_notes: 'Reset the account before the call.', sectors: ['Finance', 7] });
    assert.deepEqual(result.dropped.properties, ['reference_code', 'other']);
    assert.equal(result.dropped.untypedValues, 1);
  });

  it('copes with an incident whose properties are null or missing', () => {
    const incident = sampleIncident() as unknown as Record<string, unknown>;
    incident.properties = null;
    const a = applyWhitelist({ incident: incident as unknown as Incident }, wl({ properties: ['reference_code'] }));
    assert.deepEqual(a.incident.properties, {});
    delete incident.properties;
    const b = applyWhitelist({ incident: incident as unknown as Incident }, wl({ properties: ['reference_code'] }));
    assert.deepEqual(b.incident.properties, {});
    assert.deepEqual(b.dropped.properties, []);
  });
});

describe('whitelist: children', () => {
  it('keeps the listed fields of notes, HTML as text', () => {
    const notes = [note(1, '<div><script>alert(1)</script><b>bold</b></div>'), note(2, { format: 'html', content: '<p>rich</p>' })];
    const result = applyWhitelist({ incident: sampleIncident(), notes }, DEFAULT_WHITELIST);
    assert.deepEqual(result.notes, [
      { text: '<div><script>alert(1)</script><b>bold</b></div>', create_date: 1_700_000_000_001 },
      { text: { format: 'html', content: '<p>rich</p>' }, create_date: 1_700_000_000_002 },
    ]);
  });

  it('drops the children beyond max_count, and whole kinds not included', () => {
    const notes = [1, 2, 3, 4, 5].map((id) => note(id, `note ${id}`));
    const tasks = [task(1, 'a'), task(2, 'b')];
    const result = applyWhitelist({ incident: sampleIncident(), notes, tasks }, wl({ notes: { max_count: 2 } }));
    assert.deepEqual(result.notes.map((n) => n.text), ['note 1', 'note 2']);
    assert.equal(result.dropped.notes, 3);
    assert.deepEqual(result.tasks, []);
    assert.equal(result.dropped.tasks, 2);
  });

  it('keeps tasks when included, with their listed fields', () => {
    const result = applyWhitelist({ incident: sampleIncident(), tasks: [task(7, 'Contain')] }, wl({ tasks: { include: true, fields: ['name', 'status', 'instructions'] } }));
    assert.deepEqual(result.tasks, [{ name: 'Contain', status: 'O', instructions: '<p>do it</p>' }]);
  });

  it('filters artifacts by type name, case-insensitively, and drops the others', () => {
    const artifacts = [
      artifact(1, 'IP Address', '10.0.0.1'),
      artifact(2, 'DNS Name', 'evil.example'),
      artifact(3, 'ip address', '10.0.0.2'),
      artifact(4, 'Malware MD5 Hash', 'd41d8cd98f00b204e9800998ecf8427e'),
      artifact(5, 1, 'numeric type id'),
    ];
    const result = applyWhitelist({ incident: sampleIncident(), artifacts }, wl({ artifacts: { types: ['IP Address', 'DNS Name'] } }));
    assert.deepEqual(result.artifacts.map((a) => a.value), ['10.0.0.1', 'evil.example', '10.0.0.2']);
    assert.equal(result.dropped.artifacts, 2);
    assert.ok(!JSON.stringify(result).includes('d41d8cd9'));
    // An empty list of types lets every type through.
    assert.equal(applyWhitelist({ incident: sampleIncident(), artifacts }, DEFAULT_WHITELIST).artifacts.length, 5);
    // max_count counts the artifacts of allowed types only.
    const two = applyWhitelist({ incident: sampleIncident(), artifacts }, wl({ artifacts: { types: ['ip address'], max_count: 1 } }));
    assert.deepEqual(two.artifacts.map((a) => a.value), ['10.0.0.1']);
    assert.equal(two.dropped.artifacts, 4);
  });

  it('sends attachment content only when listed, and drops files over max_bytes', () => {
    const attachments: BundleAttachment[] = sampleAttachments().map((a, i) => ({ ...a, content: Buffer.alloc(i === 0 ? 10 : 20, 1).toString('base64') }));
    const withContent = wl({ attachments: { include: true, max_bytes: 15, fields: ['name', 'content'] } });
    const result = applyWhitelist({ incident: sampleIncident(), attachments }, withContent);
    assert.deepEqual(result.attachments, [{ name: 'headers.eml', content: Buffer.alloc(10, 1).toString('base64') }]);
    assert.equal(result.dropped.attachments, 1);
    assert.equal(result.dropped.truncatedValues, 0);
    // Without `content` in the fields, the size of the file does not matter.
    const meta = applyWhitelist({ incident: sampleIncident(), attachments }, wl({ attachments: { include: true, max_bytes: 15 } }));
    assert.equal(meta.attachments.length, 2);
    assert.ok(!('content' in (meta.attachments[0] ?? {})));
  });
});

describe('whitelist: truncation', () => {
  it('cuts strings over max_text_bytes anywhere in an allowed field (rich text, lists of handles), and counts them', () => {
    const incident = sampleIncident();
    incident.name = 'x'.repeat(40);
    (incident as Record<string, unknown>).description = { format: 'html', content: 'y'.repeat(50) };
    incident.properties = { list: ['short', 'z'.repeat(33)] };
    const result = applyWhitelist({ incident }, wl({ max_text_bytes: 32, properties: ['list'] }));
    assert.equal(result.incident.name, 'x'.repeat(32) + TRUNCATION_MARKER);
    assert.deepEqual(result.incident.description, { format: 'html', content: 'y'.repeat(32) + TRUNCATION_MARKER });
    assert.deepEqual(result.incident.properties, { list: ['short', 'z'.repeat(32) + TRUNCATION_MARKER] });
    assert.equal(result.dropped.truncatedValues, 3);
  });

  it('cuts at a character boundary (UTF-8), never inside a character', () => {
    const incident = sampleIncident();
    incident.name = 'ab€€😀'; // 2 + 3 + 3 + 4 = 12 bytes
    const cut = (limit: number): unknown => applyWhitelist({ incident }, wl({ max_text_bytes: limit })).incident.name;
    assert.equal(cut(12), 'ab€€😀');
    assert.equal(cut(11), 'ab€€' + TRUNCATION_MARKER);
    assert.equal(cut(8), 'ab€€' + TRUNCATION_MARKER);
    assert.equal(cut(7), 'ab€' + TRUNCATION_MARKER);
    assert.equal(cut(2), 'ab' + TRUNCATION_MARKER);
    assert.equal(cut(0), TRUNCATION_MARKER);
  });

  it('holds note text to the notes max_bytes instead of max_text_bytes', () => {
    const notes = [note(1, 'n'.repeat(100)), note(2, { format: 'html', content: '<p>' + 'h'.repeat(100) + '</p>' }), note(3, 'short')];
    const result = applyWhitelist({ incident: sampleIncident(), notes }, wl({ notes: { max_bytes: 64 }, max_text_bytes: 10 }));
    assert.equal(result.notes[0]?.text, 'n'.repeat(64) + TRUNCATION_MARKER);
    assert.deepEqual(result.notes[1]?.text, { format: 'html', content: ('<p>' + 'h'.repeat(100)).slice(0, 64) + TRUNCATION_MARKER });
    assert.equal(result.notes[2]?.text, 'short');
    // Two notes, and the incident's own name and description (over 10 bytes) are cut too.
    assert.equal(result.dropped.truncatedValues, 4);
    assert.equal(result.dropped.notes, 0);
  });
});

describe('whitelist: total size', () => {
  it('drops children from the end, attachments first, until the JSON fits', () => {
    const notes = [1, 2, 3].map((id) => note(id, 'n'.repeat(100)));
    const artifacts = [1, 2, 3].map((id) => artifact(id, 'IP Address', `10.0.0.${id}`));
    const attachments = sampleAttachments();
    const open = wl({ attachments: { include: true } });
    const full = applyWhitelist({ incident: sampleIncident(), notes, artifacts, attachments }, open);
    const size = (r: typeof full): number => Buffer.byteLength(JSON.stringify({ incident: r.incident, notes: r.notes, artifacts: r.artifacts, attachments: r.attachments, tasks: r.tasks }));
    const all = size(full);
    // Just big enough: nothing dropped.
    assert.equal(size(applyWhitelist({ incident: sampleIncident(), notes, artifacts, attachments }, wl({ attachments: { include: true }, max_total_bytes: all }))), all);
    // One byte less: the last attachment goes.
    const less = applyWhitelist({ incident: sampleIncident(), notes, artifacts, attachments }, wl({ attachments: { include: true }, max_total_bytes: all - 1 }));
    assert.equal(less.attachments.length, 1);
    assert.equal(less.dropped.attachments, 1);
    assert.ok(size(less) <= all - 1);
    // Room for the incident and little else: attachments, then notes go before artifacts.
    const frame = size({ ...full, notes: [], artifacts: [], attachments: [], tasks: [] });
    const tight = applyWhitelist({ incident: sampleIncident(), notes, artifacts, attachments }, wl({ attachments: { include: true }, max_total_bytes: frame + 120 }));
    assert.deepEqual(tight.attachments, []);
    assert.deepEqual(tight.notes, []);
    assert.deepEqual(tight.artifacts.map((a) => a.value), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual([tight.dropped.attachments, tight.dropped.notes, tight.dropped.artifacts], [2, 3, 1]);
    assert.ok(size(tight) <= frame + 120);
  });

  it('does not count truncations of children it dropped for size', () => {
    const notes = [note(1, 'n'.repeat(100))];
    const result = applyWhitelist({ incident: sampleIncident(), notes }, wl({ notes: { max_bytes: 10 }, max_total_bytes: 10 }));
    assert.deepEqual(result.notes, []);
    assert.equal(result.dropped.notes, 1);
    assert.equal(result.dropped.truncatedValues, 0);
  });
});

describe('whitelist: hostile names and values', () => {
  it('refuses __proto__, constructor and prototype in a whitelist, with their paths', () => {
    assert.throws(
      () => compileWhitelist({ incident_fields: ['name', '__proto__'], properties: ['constructor'], notes: { fields: ['prototype'] }, artifacts: { types: ['__proto__'] } }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.problems, [
          'whitelist.incident_fields[1]: __proto__ is never allowed (a reserved JavaScript name)',
          'whitelist.properties[0]: constructor is never allowed (a reserved JavaScript name)',
          'whitelist.notes.fields[0]: prototype is never allowed (a reserved JavaScript name)',
          'whitelist.artifacts.types[0]: __proto__ is never allowed (a reserved JavaScript name)',
        ]);
        return true;
      },
    );
  });

  it('never copies those names, even when a hand-made whitelist lists them', () => {
    const incident = JSON.parse(
      '{"name":"n","__proto__":{"polluted":"yes"},"constructor":"c","prototype":"p",' +
        '"description":{"__proto__":{"polluted":"yes"},"ok":1},' +
        '"properties":{"__proto__":{"polluted":"yes"},"constructor":{"x":1},"fine":[{"__proto__":{"polluted":"yes"}}]}}',
    ) as Incident;
    const notes = [JSON.parse('{"text":"t","__proto__":{"polluted":"yes"}}') as Note];
    const handMade: Whitelist = {
      ...DEFAULT_WHITELIST,
      incident_fields: ['name', 'description', '__proto__', 'constructor', 'prototype'],
      properties: ['__proto__', 'constructor', 'fine'],
      notes: { ...DEFAULT_WHITELIST.notes, fields: ['text', '__proto__'] },
    };
    const result = applyWhitelist({ incident, notes }, handMade);
    assert.deepEqual(Object.keys(result.incident), ['name', 'properties'], 'objects are of no SOAR field type');
    assert.deepEqual(result.incident.properties, {});
    assert.equal(result.dropped.untypedValues, 2);
    assert.deepEqual(result.notes, [{ text: 't' }]);
    assert.ok(!JSON.stringify(result).includes('polluted'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(result.incident), Object.prototype);
    assert.deepEqual(result.dropped.incidentFields, ['__proto__', 'constructor', 'prototype']);
    assert.deepEqual(result.dropped.properties, ['__proto__', 'constructor']);
  });

  it('copies only values of a SOAR field type (JSON-safe ones among them)', () => {
    const incident = { ...sampleIncident(), name: 'n' } as Record<string, unknown>;
    Object.assign(incident, {
      description: { fn: () => 1, undef: undefined, nan: NaN, inf: -Infinity, date: new Date(0), big: 1n, sym: Symbol('s'), ok: 'ok', list: [1, undefined, () => 2, NaN, 'x'] },
      severity_code: undefined,
      confirmed: () => true,
    });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    (incident.properties as Record<string, unknown>).loop = cyclic;
    (incident.properties as Record<string, unknown>).holes = [1, , 'x']; // eslint-disable-line no-sparse-arrays
    (incident.properties as Record<string, unknown>).nan = [1, NaN];
    const result = applyWhitelist({ incident: incident as unknown as Incident }, wl({ properties: ['loop', 'holes', 'nan'] }));
    for (const name of ['description', 'severity_code', 'confirmed']) assert.ok(!(name in result.incident), name);
    assert.deepEqual(result.incident.properties, {});
    assert.equal(result.dropped.untypedValues, 6);
    assert.doesNotThrow(() => JSON.stringify(result));
  });
});

describe('whitelist: typed values', () => {
  const MARK = 'MARKER-must-not-leave';
  const everything = wl({
    incident_fields: ['name', 'severity_code', 'incident_type_ids', 'confirmed', 'plan_status', 'description', 'discovered_date'],
    properties: ['region', 'sectors'],
    notes: { fields: ['text', 'create_date'] },
    tasks: { include: true, fields: ['name', 'instructions', 'due_date'] },
  });

  it('drops what an adversary nests inside allowed fields, and counts it', () => {
    const incident = {
      name: 'n',
      severity_code: { id: 52, name: 'High', extra: MARK },
      incident_type_ids: [{ id: 19, extra: MARK }],
      confirmed: { value: true, extra: MARK },
      plan_status: { code: 'A', extra: MARK },
      description: { format: 'html', content: '<p>x</p>', extra: MARK },
      discovered_date: [[MARK]],
      properties: { region: { label: 'EMEA', extra: MARK }, sectors: ['Finance', { extra: MARK }] },
    } as unknown as Incident;
    const notes = [note(1, { format: 'text', content: 'ok', extra: MARK } as unknown as Note['text']), note(2, 'plain')];
    const tasks = [{ ...task(1, 'Contain'), instructions: { content: 'do', extra: MARK } } as unknown as Task];
    const result = applyWhitelist({ incident, notes, tasks }, everything);
    assert.ok(!JSON.stringify(result).includes(MARK));
    assert.deepEqual(result.incident, { name: 'n', properties: {} });
    assert.deepEqual(result.notes.map((n) => n['text']), [undefined, 'plain']);
    assert.deepEqual(result.tasks, [{ name: 'Contain', due_date: null }]);
    assert.equal(result.dropped.untypedValues, 10);
    assert.deepEqual(result.dropped.incidentFields, [], 'allowed fields are not named as not allowed');
    assert.match(describeDropped(result.dropped), /10 values of no SOAR field type/);
  });

  it('keeps every SOAR field type as it is: text, numbers, dates, booleans, null, handles, lists of handles, rich text', () => {
    const incident = {
      name: 'n', severity_code: 'High', incident_type_ids: ['Malware', 19], confirmed: false, plan_status: 'A',
      description: { format: 'html', content: '<p>x</p>' }, discovered_date: 1_700_000_000_000,
      properties: { region: null, sectors: [] },
    } as unknown as Incident;
    const result = applyWhitelist({ incident, notes: [note(1, { format: 'text', content: 'ok' })] }, everything);
    assert.deepEqual(result.incident, { ...incident, properties: { region: null, sectors: [] } });
    assert.deepEqual(result.notes[0]?.['text'], { format: 'text', content: 'ok' });
    assert.equal(result.dropped.untypedValues, 0);
  });
});

describe('whitelist: purity', () => {
  it('never mutates its input and answers the same twice', () => {
    const bundle: IncidentBundle = {
      incident: { ...sampleIncident(), name: 'n'.repeat(100) },
      notes: [note(1, 'n'.repeat(100)), note(2, 'b')],
      artifacts: [artifact(1, 'IP Address', '10.0.0.1'), artifact(2, 'DNS Name', 'x'.repeat(100))],
      attachments: sampleAttachments(),
      tasks: [task(1, 'a')],
    };
    const before = structuredClone(bundle);
    const list = wl({ max_text_bytes: 10, notes: { max_count: 1, max_bytes: 5 }, artifacts: { types: ['IP Address'] }, properties: ['reference_code'] });
    const a = applyWhitelist(bundle, list);
    const b = applyWhitelist(bundle, list);
    assert.deepEqual(bundle, before);
    assert.deepEqual(a, b);
    // The result shares no objects with the input.
    (a.incident.properties as Record<string, unknown>).reference_code = 'changed';
    assert.equal(bundle.incident.properties.reference_code, 'EX-4711');
  });

  it('works on frozen input', () => {
    const freeze = (value: unknown): void => {
      if (value !== null && typeof value === 'object') {
        Object.values(value).forEach(freeze);
        Object.freeze(value);
      }
    };
    const bundle: IncidentBundle = { incident: sampleIncident(), notes: [note(1, 'x'.repeat(100))] };
    freeze(bundle);
    assert.doesNotThrow(() => applyWhitelist(bundle, wl({ max_text_bytes: 5, notes: { max_bytes: 5 } })));
  });
});

describe('whitelist: the YAML form', () => {
  it('compiles to the defaults when empty, and freezes deeply', () => {
    for (const empty of [undefined, null, {}]) assert.deepEqual(compileWhitelist(empty), DEFAULT_WHITELIST);
    assert.ok(Object.isFrozen(DEFAULT_WHITELIST));
    assert.ok(Object.isFrozen(DEFAULT_WHITELIST.incident_fields));
    assert.ok(Object.isFrozen(DEFAULT_WHITELIST.notes));
    assert.ok(Object.isFrozen(DEFAULT_WHITELIST.notes.fields));
    assert.ok(Object.isFrozen(DEFAULT_WHITELIST_YAML.artifacts.types));
    assert.deepEqual(DEFAULT_WHITELIST.incident_fields, [
      'name', 'description', 'discovered_date', 'severity_code', 'incident_type_ids', 'confirmed', 'plan_status', 'create_date',
    ]);
    assert.deepEqual(DEFAULT_WHITELIST.properties, []);
    assert.equal(DEFAULT_WHITELIST.notes.include, true);
    assert.equal(DEFAULT_WHITELIST.artifacts.include, true);
    assert.equal(DEFAULT_WHITELIST.attachments.include, false);
    assert.equal(DEFAULT_WHITELIST.tasks.include, false);
    for (const never of ['id', 'org_id', 'vers', 'creator', 'members', 'perms', 'owner_id']) {
      assert.ok(!DEFAULT_WHITELIST.incident_fields.includes(never), never);
    }
  });

  it('fills each key left out (or empty) from the defaults; a list given replaces the default', () => {
    const compiled = compileWhitelist({ incident_fields: ['name', 'name', 'city'], notes: { max_count: 3 }, attachments: { include: true, fields: null }, max_text_bytes: '100' });
    assert.deepEqual(compiled.incident_fields, ['name', 'city']);
    assert.deepEqual(compiled.notes, { include: true, max_count: 3, max_bytes: 65_536, fields: ['text', 'create_date'] });
    assert.deepEqual(compiled.attachments.fields, ['name', 'content_type', 'size', 'created']);
    assert.equal(compiled.max_text_bytes, 100);
    assert.deepEqual(compiled.artifacts.artifact_types, []);
  });

  it('reports every problem at once, with paths', () => {
    assert.deepEqual(
      whitelistProblems({ incident_fields: ['properties', 'comments', 'properties.x', ' name'], notez: {}, tasks: { max_count: -1, include: 'maybe' }, max_total_bytes: 1.5 }, ['brands', 'eu', 'whitelist']).map((p) => `${p.path}: ${p.message}`).sort(),
      [
        'brands.eu.whitelist.incident_fields[0]: cannot be listed here: list custom fields under properties:, by name',
        'brands.eu.whitelist.incident_fields[1]: cannot be listed here: notes are governed by the notes: section',
        'brands.eu.whitelist.incident_fields[2]: list custom fields under properties:, without the properties. prefix',
        'brands.eu.whitelist.incident_fields[3]: must not start or end with blanks',
        'brands.eu.whitelist.max_total_bytes: must be a whole number',
        'brands.eu.whitelist.notez: unknown key (did you mean notes?)',
        'brands.eu.whitelist.tasks.include: must be true or false',
        'brands.eu.whitelist.tasks.max_count: must be >= 0',
      ],
    );
    assert.deepEqual(whitelistProblems(DEFAULT_WHITELIST_YAML), []);
  });

  it('has a schema strict ajv accepts, embeddable under another schema, that accepts the defaults', () => {
    const ajv = new Ajv({ strict: true, allErrors: true });
    assert.equal(ajv.validate(whitelistJsonSchema, DEFAULT_WHITELIST_YAML), true);
    const outer = { type: 'object', additionalProperties: false, properties: { whitelist: whitelistJsonSchema } };
    assert.equal(ajv.validate(outer, { whitelist: { notes: { include: false } } }), true);
    assert.equal(ajv.validate(outer, { whitelist: { notes: { colour: 'red' } } }), false);
  });
});

describe('describeDropped', () => {
  const none: DroppedSummary = { incidentFields: [], properties: [], notes: 0, artifacts: 0, attachments: 0, tasks: 0, truncatedValues: 0, untypedValues: 0 };

  it('summarises counts in one line, with singulars and plurals', () => {
    assert.equal(
      describeDropped({ ...none, incidentFields: Array.from({ length: 12 }, (_, i) => `f${i}`), properties: ['a', 'b', 'c'], notes: 2, attachments: 1, truncatedValues: 1 }),
      "filtered out by the sender's whitelist: 12 incident fields, 3 custom fields, 2 notes, 1 attachment; 1 value truncated",
    );
    assert.equal(
      describeDropped({ ...none, incidentFields: ['x'], properties: ['y'], artifacts: 3, tasks: 1, truncatedValues: 4 }),
      "filtered out by the sender's whitelist: 1 incident field, 1 custom field, 3 artifacts, 1 task; 4 values truncated",
    );
    assert.equal(describeDropped({ ...none, notes: 1, artifacts: 1, tasks: 2 }), "filtered out by the sender's whitelist: 1 note, 1 artifact, 2 tasks");
    assert.equal(describeDropped({ ...none, untypedValues: 1 }), "filtered out by the sender's whitelist: 1 value of no SOAR field type");
    assert.equal(describeDropped({ ...none, notes: 1, untypedValues: 4 }), "filtered out by the sender's whitelist: 1 note, 4 values of no SOAR field type");
  });

  it('says so when nothing was filtered', () => {
    assert.equal(describeDropped(none), "nothing filtered out by the sender's whitelist");
    assert.equal(describeDropped({ ...none, truncatedValues: 2 }), "nothing filtered out by the sender's whitelist; 2 values truncated");
  });

  it('never names a field or shows a value', () => {
    const result = applyWhitelist({ incident: sampleIncident() }, DEFAULT_WHITELIST);
    const line = describeDropped(result.dropped);
    assert.equal(line, "filtered out by the sender's whitelist: 34 incident fields, 2 custom fields");
    for (const name of [...result.dropped.incidentFields, ...result.dropped.properties]) assert.ok(!new RegExp(`\\b${name}\\b`).test(line), name);
  });
});
