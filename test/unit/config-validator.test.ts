import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { configSchema } from '../../src/config/schema.js';
import { CONFIG_AJV_OPTIONS, prebuiltValidator } from '../../src/config/validator.js';

test('npm run build leaves a current config validator, answering as the one compiled at run time', () => {
  const prebuilt = prebuiltValidator();
  assert.ok(prebuilt, 'dist/src/config/config-validator.cjs missing or made from another schema (npm run build writes it)');
  const compiled = new Ajv({ ...CONFIG_AJV_OPTIONS }).compile(configSchema);
  const samples: unknown[] = [
    { node: { id: 'n1' }, soar: { host: 'soar.example.com', org: 'EU', api_key_id: 'k', api_key_secret: 's' } },
    { node: { id: 'N 1', colour: 'red' }, soar: { host: 'a/b', org: '', port: '443', email: 'x' }, worker: { concurrency: 0 } },
    { node: { id: 'n1' }, brands: { eu: { soar: { host: 'h', org: 'o', api_key_id: 'k' }, whitelist: { notes: { max_count: -1 } } } } },
  ];
  for (const sample of samples) {
    const [a, b] = [structuredClone(sample), structuredClone(sample)];
    assert.equal(prebuilt(a), compiled(b));
    assert.deepEqual(prebuilt.errors ?? null, compiled.errors ?? null);
    assert.deepEqual(a, b, 'the same coercions and defaults');
  }
});
