import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exitCodeOf, formatSelftest, SelftestExit, type BrandSelftest } from '../../src/app/selftest.js';

const ok = (name: string) => ({ name, ok: true, detail: 'fine' });
const fail = (name: string) => ({ name, ok: false, detail: 'broken' });
const brand = (id: string, checks: BrandSelftest['checks']): BrandSelftest => ({ brand: id, checks, ok: checks.every((c) => c.ok) });

test('the exit code names the first kind of failure across brands', () => {
  assert.equal(exitCodeOf([brand('a', [ok('REST login and org'), ok('STOMP connect and subscribe')])]), SelftestExit.Ok);
  assert.equal(exitCodeOf([brand('a', [ok('REST login and org'), fail('STOMP connect and subscribe')]), brand('b', [fail('REST login and org')])]), SelftestExit.Rest);
  assert.equal(exitCodeOf([brand('a', [ok('REST login and org'), ok('STOMP connect and subscribe'), fail('customization installed')])]), SelftestExit.Customization);
  assert.equal(exitCodeOf([brand('a', [ok('REST login and org'), ok('STOMP connect and subscribe'), ok('customization installed'), fail('clearing_x selftest')])]), SelftestExit.Function);
});

test('the report has one aligned line per check', () => {
  const text = formatSelftest([brand('eu', [ok('REST login and org'), fail('STOMP connect and subscribe')])]);
  assert.equal(text, [
    'brand eu: FAILED',
    '  ok    REST login and org           fine',
    '  FAIL  STOMP connect and subscribe  broken',
    '',
  ].join('\n'));
});
