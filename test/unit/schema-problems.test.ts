/**
 * The one translation of ajv's errors (src/core/schema-problems.ts): paths with the missing or
 * unknown key, list indexes told from numeric map keys, one wording, near-miss hints, and the
 * two notations its users write paths in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { formatPath, jsonPointer, schemaProblems } from '../../src/core/schema-problems.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['host'],
  properties: {
    host: { type: 'string', pattern: '^[a-z]+$' },
    ports: { type: 'array', uniqueItems: true, items: { type: 'integer', minimum: 1 } },
    mode: { enum: ['a', 'b'] },
    names: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
    pick: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
  },
} as const;

const problemsOf = (data: unknown, verbose: boolean, hints?: Record<string, string>) => {
  const validate = new Ajv({ allErrors: true, strict: true, verbose }).compile(schema);
  assert.equal(validate(data), false);
  return schemaProblems(validate.errors, data, hints === undefined ? {} : { patternHints: hints }).map((p) => ({ path: p.path, message: p.message }));
};

test('each keyword: the path into the data and one wording', () => {
  const data = { hots: 'x', ports: [0, 2, 2], mode: 'c', names: { 7: '' }, pick: true };
  assert.deepEqual(problemsOf(data, true), [
    { path: ['host'], message: 'required' },
    { path: ['hots'], message: 'unknown key (did you mean host?)' },
    { path: ['ports', 0], message: 'must be >= 1' },
    { path: ['ports'], message: 'lists 2 twice' },
    { path: ['mode'], message: 'must be one of a, b' },
    // A numeric key of a map stays a key: only list indexes are numbers.
    { path: ['names', '7'], message: 'must not be empty' },
    // The branches' own failures are left to the oneOf.
    { path: ['pick'], message: 'matches none of its allowed forms' },
  ]);
});

test('without verbose errors: no near-miss hint, the rest alike', () => {
  assert.deepEqual(problemsOf({ host: 'a', hots: 1 }, false), [{ path: ['hots'], message: 'unknown key' }]);
});

test('patterns: the caller\'s hint, else the pattern itself', () => {
  assert.deepEqual(problemsOf({ host: 'A' }, false), [{ path: ['host'], message: 'must match ^[a-z]+$' }]);
  assert.deepEqual(problemsOf({ host: 'A' }, false, { '^[a-z]+$': 'must be lowercase' }), [{ path: ['host'], message: 'must be lowercase' }]);
});

test('types in words', () => {
  assert.deepEqual(problemsOf({ host: 5, ports: 'x' }, false), [
    { path: ['host'], message: 'must be a string' },
    { path: ['ports'], message: 'must be a list' },
  ]);
});

test('paths written dotted or as JSON pointers', () => {
  assert.equal(formatPath(['brands', 'eu', 'destinations', 1]), 'brands.eu.destinations[1]');
  assert.equal(formatPath([]), '');
  assert.equal(jsonPointer(['nested', 'a/b', 'c~d', 0]), '/nested/a~1b/c~0d/0');
  assert.equal(jsonPointer([]), '/');
});
