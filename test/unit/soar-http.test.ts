import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieJar, baseUrl, normalizePrefix, parseJsonBody, queryParams, resolveRestPath } from '../../src/soar/http.js';

describe('paths', () => {
  it('relative paths go under /rest/orgs/<id>', () => {
    assert.equal(resolveRestPath('/incidents/5', 201), '/rest/orgs/201/incidents/5');
    assert.equal(resolveRestPath('incidents', 201), '/rest/orgs/201/incidents');
    assert.equal(resolveRestPath('', 201), '/rest/orgs/201');
  });

  it('absolute /rest/ paths stay as they are', () => {
    assert.equal(resolveRestPath('/rest/const', 201), '/rest/const');
    assert.equal(resolveRestPath('/rest/orgs/202/incidents', 201), '/rest/orgs/202/incidents');
    assert.equal(resolveRestPath('/restless', 201), '/rest/orgs/201/restless');
  });

  it('resource_prefix goes before /rest', () => {
    assert.equal(normalizePrefix(''), '');
    assert.equal(normalizePrefix('soar/'), '/soar');
    assert.equal(normalizePrefix('//a/b//'), '/a/b');
    assert.equal(baseUrl({ host: 'soar.example.com', port: 443, resource_prefix: '' }), 'https://soar.example.com:443');
    assert.equal(baseUrl({ host: 'soar', port: 8443, resource_prefix: '/proxy/' }), 'https://soar:8443/proxy');
    assert.equal(baseUrl({ host: '::1', port: 443, resource_prefix: '' }), 'https://[::1]:443');
  });
});

describe('CookieJar', () => {
  it('keeps name=value from Set-Cookie and sends them back', () => {
    const jar = new CookieJar();
    assert.equal(jar.header(), undefined);
    jar.update(['JSESSIONID=ABC123; Path=/; Secure; HttpOnly', 'other=1; Path=/']);
    assert.equal(jar.get('JSESSIONID'), 'ABC123');
    assert.equal(jar.header(), 'JSESSIONID=ABC123; other=1');
    jar.update('JSESSIONID=NEW; Path=/');
    assert.equal(jar.get('JSESSIONID'), 'NEW');
  });

  it('deletes on Max-Age=0, past Expires or empty value', () => {
    const jar = new CookieJar();
    jar.update(['a=1', 'b=2', 'c=3']);
    jar.update(['a=; Max-Age=0', 'b=2; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'c=']);
    assert.equal(jar.header(), undefined);
  });

  it('ignores junk', () => {
    const jar = new CookieJar();
    jar.update(['', '=x', 'novalue']);
    jar.update(undefined);
    assert.equal(jar.header(), undefined);
  });
});

describe('bodies and queries', () => {
  it('parseJsonBody', () => {
    assert.deepEqual(parseJsonBody('{"a":1}'), { a: 1 });
    assert.equal(parseJsonBody(''), null);
    assert.equal(parseJsonBody(undefined), null);
    assert.equal(parseJsonBody('<html>'), undefined);
    assert.deepEqual(parseJsonBody(Buffer.from('[1]')), [1]);
  });

  it('queryParams stringifies', () => {
    assert.deepEqual(queryParams({ a: 1, b: true, c: 'x' }), { a: '1', b: 'true', c: 'x' });
    assert.equal(queryParams(undefined), undefined);
  });
});
