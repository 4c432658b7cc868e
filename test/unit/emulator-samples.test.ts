/**
 * The emulator's built-in templates against IBM's REST samples (resilient-python-api's test data,
 * from the reference directory beside the repo; skipped, saying why, without it): the same keys
 * as SOAR's objects, except where the 51.0.9 record shows SOAR no longer sends a key, and field
 * input types as SOAR's. The emulator always answers from these templates, so the demo and the
 * tests behave the same with or without the reference directory.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { builtinSamples } from '../../sim/emulator/builtin-samples.js';
import { describeSamples, loadSamples } from '../../sim/emulator/samples.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { readReferenceJson, withoutReference } from '../support/reference.js';

const sample = (name: string): JsonValue => readReferenceJson<JsonValue>('soar', 'rest-samples', name);
const obj = (v: JsonValue | undefined): JsonObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const first = (v: JsonValue | undefined): JsonValue | undefined => (Array.isArray(v) ? v[0] : undefined);
const entities = (v: JsonValue): JsonValue[] => (Array.isArray(obj(v)['entities']) ? (obj(v)['entities'] as JsonValue[]) : []);

/**
 * The template has no key the real object lacks except `added`, and lacks none of its keys except
 * `gone`: keys SOAR 51.0.9 sends that the older samples lack, or the reverse (per the live record
 * in lancyandrade/qradar-soar-mcp docs/soar-api-verified.md: the API key session has no user_id
 * and csrf_token; message destinations carry api_keys).
 */
function sameKeys(what: string, own: JsonValue | undefined, real: JsonValue | undefined, gone: readonly string[] = [], added: readonly string[] = []): void {
  const ours = Object.keys(obj(own));
  const theirs = Object.keys(obj(real));
  assert.ok(theirs.length > 0, `${what}: the real sample has keys`);
  assert.deepEqual(ours.filter((k) => !theirs.includes(k) && !added.includes(k)), [], `${what}: keys SOAR's object does not have`);
  assert.deepEqual(theirs.filter((k) => !ours.includes(k) && !gone.includes(k)), [], `${what}: keys SOAR sends that the template lacks`);
}

describe('emulator templates', () => {
  test('the emulator answers from its built-in templates, whatever is beside the repository', () => {
    const s = loadSamples();
    const b = builtinSamples();
    assert.deepEqual(s.incident, b.incident);
    assert.deepEqual(JSON.parse(s.constText), b.constInfo);
    assert.match(describeSamples(), /built-in/);
  });

  test('the built-in templates have the keys of IBM\'s REST samples', { skip: withoutReference('soar', 'rest-samples') }, () => {
    const own = builtinSamples();
    const password = sample('session_POST_rest_session.json');
    const apiKey = sample('session_apikey_GET_rest_session.json');
    sameKeys('password session', own.passwordSession, password);
    sameKeys('password session org', first(own.passwordSession['orgs']), first(obj(password)['orgs']));
    sameKeys('API key session', own.apiKeySession, apiKey, ['user_id', 'csrf_token']);
    sameKeys('API key session org', first(own.apiKeySession['orgs']), first(obj(apiKey)['orgs']));
    sameKeys('incident', own.incident, sample('200_JSON_GET__incidents_2314.json'));
    sameKeys('task', own.task, sample('200_JSON_GET__task.json'));
    sameKeys('function', own.functions[0], entities(sample('200_JSON_GET__functions.json'))[0]);
    sameKeys('message destination', own.messageDestinations[0], entities(sample('200_JSON_GET__message_destinations.json'))[0], [], ['api_keys']);
    sameKeys('table row', own.tableRow, sample('200_JSON_POST__table_data.json'));
    sameKeys('attachment', own.attachment, sample('200_JSON_POST__attachment.json'));

    const realFields = (sample('200_JSON_GET__types_incident_fields.json') as JsonValue[]).map(obj);
    const realFieldKeys = new Set(realFields.flatMap((f) => Object.keys(f)));
    for (const f of own.incidentFields) {
      for (const k of Object.keys(f)) assert.ok(realFieldKeys.has(k), `incident field ${String(f['name'])}: key ${k} is not SOAR's`);
      const twin = realFields.find((r) => r['name'] === f['name'] && r['prefix'] === f['prefix']);
      if (twin) assert.equal(f['input_type'], twin['input_type'], `incident field ${String(f['name'])}: input_type`);
    }
    const realConst = obj(sample('200_JSON_GET__const.json'));
    for (const k of Object.keys(own.constInfo)) assert.ok(k in realConst, `const ${k} is SOAR's`);
    sameKeys('server_version', own.constInfo['server_version'], realConst['server_version']);
    const realTypes = obj(sample('200_JSON_GET__types.json'));
    for (const [name, t] of Object.entries(own.types)) {
      assert.ok(name in realTypes, `type ${name} is SOAR's`);
      sameKeys(`type ${name}`, t, realTypes[name]);
    }
  });
});
