import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { ClearingError, ErrorCode, messageForPeers } from '../../src/core/errors.js';
import {
  SoarAuthError,
  SoarConflictError,
  SoarRequestError,
  SoarTlsError,
  SoarUnreachableError,
  isSoarErrorBody,
  parseSoarErrorBody,
  redact,
} from '../../src/soar/errors.js';

const soarBody = { success: false, title: null, message: 'Incident 77 not found', hints: ['check the id'], error_code: 'generic' };

describe('parseSoarErrorBody', () => {
  it("reads SOAR's error body from an object", () => {
    const p = parseSoarErrorBody(soarBody);
    assert.equal(p.message, 'Incident 77 not found');
    assert.equal(p.errorCode, 'generic');
    assert.equal(p.title, null);
    assert.deepEqual(p.hints, ['check the id']);
    assert.ok(isSoarErrorBody(soarBody));
  });

  it('reads it from JSON text', () => {
    assert.equal(parseSoarErrorBody(JSON.stringify(soarBody)).message, 'Incident 77 not found');
  });

  it('falls back to title or error when message is empty', () => {
    assert.equal(parseSoarErrorBody({ success: false, message: '', title: 'Bad things' }).message, 'Bad things');
    assert.equal(parseSoarErrorBody({ error: 'Unauthorized' }).message, 'Unauthorized');
  });

  it('turns an HTML error page into short text', () => {
    const html = '<html><head><style>body{color:red}</style></head><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>';
    assert.equal(parseSoarErrorBody(html).message, '502 Bad Gateway nginx');
  });

  it('clips very long texts', () => {
    const p = parseSoarErrorBody({ message: 'x'.repeat(5000) });
    assert.ok(p.message !== null && p.message.length <= 501);
  });

  it('answers nulls for empty or odd bodies', () => {
    for (const b of ['', '   ', null, undefined, 42, [1, 2], { success: false }]) {
      const p = parseSoarErrorBody(b);
      assert.equal(p.message, null, JSON.stringify(b));
      assert.deepEqual(p.hints, []);
    }
  });
});

describe('redact', () => {
  it('replaces every secret, longest first', () => {
    assert.equal(redact('key s3cr3t-long and s3cr3t', ['s3cr3t', 's3cr3t-long']), 'key *** and ***');
  });

  it('ignores short or empty secrets', () => {
    assert.equal(redact('a b c', ['a', '', 'b']), 'a b c');
  });
});

describe('typed errors', () => {
  it('SoarRequestError carries status, method, path and SOAR message', () => {
    const e = new SoarRequestError({ status: 404, method: 'GET', path: '/rest/orgs/201/incidents/77', soarMessage: 'Incident 77 not found', soarErrorCode: 'generic' });
    assert.ok(e instanceof ClearingError);
    assert.equal(e.code, ErrorCode.SoarRequest);
    assert.equal(e.status, 404);
    assert.equal(e.httpStatus, 404);
    assert.equal(e.retryable, false);
    assert.equal(e.message, 'SOAR GET /rest/orgs/201/incidents/77 failed with HTTP 404: Incident 77 not found');
    assert.equal(e.toReplyMessage(), `[soar_request] ${e.message}`);
    assert.equal(new SoarRequestError({ status: 500, method: 'POST', path: '/x', soarMessage: null }).retryable, true);
    assert.equal(new SoarRequestError({ status: 400, method: 'POST', path: '/x', soarMessage: null }).httpStatus, 502);
  });

  it('SoarUnreachableError is retryable and says whether a POST may have applied', () => {
    const e = new SoarUnreachableError({ method: 'GET', path: '/rest/session', attempts: 3, reason: 'ECONNREFUSED' });
    assert.equal(e.code, ErrorCode.SoarUnreachable);
    assert.equal(e.retryable, true);
    assert.match(e.message, /after 3 attempts: ECONNREFUSED/);
    const p = new SoarUnreachableError({ method: 'POST', path: '/x', attempts: 1, reason: 'ECONNRESET', maybeApplied: true });
    assert.match(p.message, /after 1 attempt: ECONNRESET; the request may have reached SOAR/);
    assert.equal(p.maybeApplied, true);
  });

  it('SoarTlsError is not retryable and points at soar.cafile', () => {
    const e = new SoarTlsError('soar:443', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate', '/etc/ca.pem');
    assert.equal(e.code, ErrorCode.SoarUnreachable);
    assert.equal(e.retryable, false);
    assert.match(e.message, /not trusted .*UNABLE_TO_VERIFY_LEAF_SIGNATURE.*\/etc\/ca\.pem.*Set soar\.cafile /);
  });

  it('SoarAuthError and SoarConflictError codes', () => {
    const a = new SoarAuthError({ status: 401, method: 'GET', path: '/rest/session', soarMessage: 'bad key', principal: 'key-1' });
    assert.equal(a.code, ErrorCode.SoarAuth);
    assert.equal(a.retryable, false);
    assert.match(a.message, /credentials of key-1/);
    const c = new SoarConflictError('/rest/orgs/201/incidents/5', 10);
    assert.equal(c.code, ErrorCode.SoarConflict);
    assert.match(c.message, /after 10 attempts/);
  });

  it('never shows a secret through inspect of a cause', () => {
    const secret = 'top-secret-value';
    const cause = Object.assign(new Error(redact(`ECONNRESET: reset while sending ${secret}`, [secret])), { code: 'ECONNRESET' });
    const e = new SoarUnreachableError({ method: 'GET', path: '/x', attempts: 1, reason: 'ECONNRESET', cause });
    assert.ok(!inspect(e, { depth: 10 }).includes(secret));
  });
});

describe('messageForPeers', () => {
  it("keeps SOAR's own words (incident ids, paths) for this node's log; other codes keep theirs", () => {
    const soar = new SoarRequestError({ status: 404, method: 'GET', path: '/rest/orgs/201/incidents/2090/table_data/clearing_distribution', soarMessage: 'Incident 2090 not found' });
    const words = messageForPeers(soar);
    assert.equal(words, "the brand's SOAR could not do it (soar_request); the details are in the answering node's log");
    assert.doesNotMatch(words, /2090|rest|not found/i);
    assert.equal(messageForPeers(new ClearingError(ErrorCode.Internal, 'TypeError: x is undefined')), 'internal error');
    assert.equal(messageForPeers(new ClearingError(ErrorCode.Forbidden, 'not your brand')), 'not your brand');
  });
});
