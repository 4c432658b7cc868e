import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionOrg } from '../../src/soar/dto.js';
import { SoarOrgError } from '../../src/soar/errors.js';
import { matchOrg, resolveOrg } from '../../src/soar/org.js';
import { ErrorCode } from '../../src/core/errors.js';

function org(id: number, name: string, extra: Partial<Record<'uuid' | 'cloud_account', string | null>> & { enabled?: boolean } = {}): SessionOrg {
  return { id, name, enabled: extra.enabled ?? true, uuid: extra.uuid ?? null, cloud_account: extra.cloud_account ?? null };
}

const orgs: SessionOrg[] = [
  org(201, 'Test Organization', { uuid: 'c8165e15-0321-4c09-84f8-4338ac5833f9', cloud_account: '73c78395-470f-46a8-af7d-5e7d999a5707' }),
  // A name that equals another org's cloud_account / uuid: the cloud_account / uuid wins.
  org(202, '73c78395-470f-46a8-af7d-5e7d999a5707', { uuid: '61d7ae97-450b-4258-baa3-99b02308b52e' }),
  org(203, 'c8165e15-0321-4c09-84f8-4338ac5833f9'),
  org(404, 'Disabled Org', { uuid: '14fa4f65-8130-46f4-ab69-56e463a3928c', enabled: false }),
];

describe('org resolution', () => {
  it('matches by name', () => {
    assert.equal(resolveOrg(orgs, 'Test Organization').id, 201);
  });

  it('prefers cloud_account over another org with that name', () => {
    assert.equal(matchOrg(orgs, '73c78395-470f-46a8-af7d-5e7d999a5707')?.id, 201);
  });

  it('prefers uuid over another org with that name', () => {
    assert.equal(matchOrg(orgs, 'c8165e15-0321-4c09-84f8-4338ac5833f9')?.id, 201);
  });

  it('matches by uuid', () => {
    assert.equal(resolveOrg(orgs, '61d7ae97-450b-4258-baa3-99b02308b52e').id, 202);
  });

  it('works with password-session orgs that carry no uuid or cloud_account', () => {
    const legacy: SessionOrg[] = [
      { id: 201, name: 'Test Organization', enabled: true },
      { id: 202, name: 'Mock Org', enabled: true },
    ];
    assert.equal(resolveOrg(legacy, 'Mock Org').id, 202);
  });

  it('name matching is exact and trims the configured value', () => {
    assert.equal(matchOrg(orgs, 'test organization'), null);
    assert.equal(matchOrg(orgs, '  Test Organization '), orgs[0]);
    assert.equal(matchOrg(orgs, ''), null);
  });

  it('refuses a disabled org, naming it and listing the visible orgs', () => {
    assert.throws(
      () => resolveOrg(orgs, 'Disabled Org'),
      (err: unknown) => {
        assert.ok(err instanceof SoarOrgError);
        assert.equal(err.code, ErrorCode.SoarOrg);
        assert.equal(err.reason, 'disabled');
        assert.equal(err.retryable, false);
        assert.match(err.message, /'Disabled Org' is disabled/);
        assert.match(err.message, /'Test Organization' \(id 201\)/);
        assert.match(err.message, /'Disabled Org' \(id 404, disabled\)/);
        assert.equal(err.available.length, 4);
        return true;
      },
    );
  });

  it('names the org when a disabled one is configured by uuid', () => {
    assert.throws(() => resolveOrg(orgs, '14fa4f65-8130-46f4-ab69-56e463a3928c'), /\('Disabled Org', id 404\) is disabled/);
  });

  it('refuses an unknown org with the list of visible orgs', () => {
    assert.throws(
      () => resolveOrg(orgs, 'Nope'),
      (err: unknown) => {
        assert.ok(err instanceof SoarOrgError);
        assert.equal(err.reason, 'not_found');
        assert.match(err.message, /'Nope' is not one of this account's orgs/);
        assert.match(err.message, /Test Organization/);
        return true;
      },
    );
  });

  it('says "none" when the account sees no org', () => {
    assert.throws(() => resolveOrg([], 'X'), /orgs this account can see: none/);
  });
});
