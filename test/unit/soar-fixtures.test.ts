/**
 * The project's fixtures of SOAR's answers (test/fixtures/soar/) are well-formed, each names its
 * public source, and the shape comparison the emulator is held to catches every kind of
 * difference (a comparison that could not fail would prove nothing).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { JsonValue } from '../../src/core/types.js';
import { FIXTURES_DIR, readFixture, resolvePaths, shapeDifferences, type Fixture } from '../support/shape.js';

const names = readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();

describe('SOAR fixtures', () => {
  test('there are fixtures for what the product reads', () => {
    for (const n of ['session-apikey', 'session-password', 'org', 'const', 'incident-ids', 'incident-names', 'query-paged-ids',
      'table-data-ids', 'table-data-names', 'tasks-ids', 'notes', 'artifacts-ids', 'attachments', 'message-destinations-ids',
      'functions', 'rules', 'workflows', 'types', 'incident-fields', 'configuration-export', 'configuration-import', 'status']) {
      assert.ok(names.includes(n), n);
    }
  });

  for (const name of names) {
    test(`${name}: names its source, and every annotation names a path of its body`, () => {
      const f = readFixture(name);
      assert.ok(typeof f._source === 'string' && f._source.length > 20, 'a _source naming the public source');
      assert.ok(typeof f._request === 'string' && /^(GET|POST|PUT|PATCH|DELETE|any) /.test(f._request), '_request');
      assert.ok(f.body !== undefined, 'body');
      const paths = [...Object.keys(f._types ?? {}), ...Object.keys(f._maps ?? {}), ...(f._optional ?? []), ...(f._may_be_empty ?? [])];
      for (const p of paths) {
        // A map's own path may be the top ('') and its template values are written as examples.
        assert.ok(p === '' || resolvePaths(f.body, p).length > 0, `${name}: '${p}' names nothing in the body`);
      }
      assert.deepEqual(shapeDifferences(f, f.body), [], 'the body matches its own annotations');
    });
  }
});

describe('shape comparison', () => {
  const fixture: Fixture = {
    _source: 'test', _request: 'GET /x',
    _types: { handle: 'number|null', 'list[]': 'number' },
    _maps: { cells: 'id' },
    _optional: ['maybe'],
    _absent: ['user_id', 'orgs[].secret'],
    body: { name: 'n', handle: 1, nested: { flag: true }, list: [1], cells: { '12': { value: 1 } }, loose: null, maybe: 'x', orgs: [{ id: 1 }] },
  };
  const ok: JsonValue = { name: 'other', handle: null, nested: { flag: false, extra: 1 }, list: [2, 3], cells: { '7': { value: 3 }, '8': { value: 2 } }, loose: 'any', orgs: [{ id: 2 }] };

  test('the same shape with other values passes', () => {
    assert.deepEqual(shapeDifferences(fixture, ok), []);
  });

  test('a missing key, a wrong type, a nested type, an element type and a typed null are each named', () => {
    const bad = structuredClone(ok) as Record<string, JsonValue>;
    delete bad['name'];
    bad['handle'] = 'Medium';
    bad['nested'] = { flag: 'yes' };
    bad['list'] = [1, 'two'];
    assert.deepEqual(shapeDifferences(fixture, bad), [
      'name: missing (SOAR sends it)',
      'handle: is string ("Medium"), SOAR answers number|null',
      'nested.flag: is string ("yes"), SOAR answers boolean',
      'list[]: is string ("two"), SOAR answers number',
    ]);
  });

  test('map keys of the wrong kind, an empty list where SOAR has elements, and keys SOAR never sends', () => {
    const bad = { ...(ok as Record<string, JsonValue>), cells: { brand: { value: 1 } }, list: [], user_id: 1, orgs: [{ id: 1, secret: 's' }] };
    assert.deepEqual(shapeDifferences(fixture, bad), [
      'list: is empty, expected elements like SOAR\'s',
      "cells: key 'brand' is not a numeric id, as SOAR's keys are",
      'user_id: present, but SOAR never sends it',
      'orgs[0].secret: present, but SOAR never sends it',
    ]);
  });

  test('an optional key may be missing, a list marked so may be empty; a top-level type mismatch stops there', () => {
    const { maybe: _, ...rest } = ok as Record<string, JsonValue>;
    assert.deepEqual(shapeDifferences(fixture, rest), []);
    assert.deepEqual(shapeDifferences({ ...fixture, _may_be_empty: ['list'] }, { ...rest, list: [] }), []);
    const top = shapeDifferences(fixture, [ok]);
    assert.equal(top.length, 1);
    assert.match(top[0]!, /^\(top\): is array .*, SOAR answers object$/);
  });
});
