import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sleep } from '../../src/core/backoff.js';
import { classifyFault, mayHaveReachedServer, retryDelay, shouldRetry, type FaultKind, type HttpMethod } from '../../src/soar/retry.js';

const cfg = { retries: 5, backoff_ms: 100, max_backoff_ms: 1000 };

describe('backoff schedule', () => {
  it('doubles from backoff_ms with jitter in [d/2, d]', () => {
    for (let attempt = 1; attempt <= 4; attempt++) {
      const d = 100 * 2 ** (attempt - 1);
      assert.equal(retryDelay(attempt, cfg, () => 0), d / 2);
      assert.equal(retryDelay(attempt, cfg, () => 1), d);
      for (let i = 0; i < 50; i++) {
        const v = retryDelay(attempt, cfg);
        assert.ok(v >= d / 2 && v <= d, `attempt ${attempt}: ${v} not in [${d / 2}, ${d}]`);
      }
    }
  });

  it('never exceeds max_backoff_ms, even for huge attempt numbers', () => {
    for (const attempt of [5, 6, 10, 100, 10_000]) {
      const v = retryDelay(attempt, cfg, () => 1);
      assert.equal(v, 1000);
      assert.ok(retryDelay(attempt, cfg, () => 0) >= 500);
    }
  });

  it('handles zero and odd inputs', () => {
    assert.equal(retryDelay(1, { retries: 1, backoff_ms: 0, max_backoff_ms: 0 }), 0);
    assert.equal(retryDelay(0, cfg, () => 1), 100); // attempt < 1 is treated as the first retry
    assert.equal(retryDelay(1, cfg, () => 7), 100); // random() clamped
    assert.ok(Number.isFinite(retryDelay(Number.MAX_SAFE_INTEGER, cfg)));
  });
});

describe('fault classification', () => {
  const cases: [Parameters<typeof classifyFault>[0], FaultKind][] = [
    [{ status: 503 }, 'http5xx'],
    [{ status: 500 }, 'http5xx'],
    [{ status: 404 }, 'http4xx'],
    [{ status: 409 }, 'http4xx'],
    [{ code: 'ECONNREFUSED' }, 'refused'],
    [{ code: 'ECONNRESET' }, 'reset'],
    [{ code: 'EPIPE' }, 'reset'],
    [{ code: '', message: 'socket hang up' }, 'reset'],
    [{ code: 'ETIMEDOUT' }, 'timeout'],
    [{ code: 'ECONNABORTED', message: 'timeout of 100ms exceeded' }, 'timeout'],
    [{ code: 'EAI_AGAIN' }, 'dns'],
    [{ code: 'ENOTFOUND' }, 'dns'],
    [{ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, 'tls'],
    [{ code: 'SELF_SIGNED_CERT_IN_CHAIN' }, 'tls'],
    [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'tls'],
    [{ code: 'CERT_HAS_EXPIRED' }, 'tls'],
    [{ code: 'ERR_CANCELED' }, 'aborted'],
    [{ code: 'EWHATEVER' }, 'other'],
  ];
  for (const [input, kind] of cases) {
    it(`${JSON.stringify(input)} -> ${kind}`, () => assert.equal(classifyFault(input).kind, kind));
  }
});

describe('retry decision table', () => {
  const kinds: FaultKind[] = ['refused', 'dns', 'reset', 'timeout', 'http5xx', 'http4xx', 'tls', 'aborted', 'other'];
  const expected: Record<FaultKind, { idem: boolean; post: boolean }> = {
    refused: { idem: true, post: true },
    dns: { idem: true, post: true },
    reset: { idem: true, post: false },
    timeout: { idem: true, post: false },
    http5xx: { idem: true, post: false },
    http4xx: { idem: false, post: false },
    tls: { idem: false, post: false },
    aborted: { idem: false, post: false },
    other: { idem: false, post: false },
  };
  for (const kind of kinds) {
    const fault = { kind, code: kind };
    for (const method of ['GET', 'PUT', 'DELETE'] as HttpMethod[]) {
      it(`${method} on ${kind}: ${expected[kind].idem ? 'retry' : 'no retry'}`, () => {
        assert.equal(shouldRetry(method, fault), expected[kind].idem);
      });
    }
    it(`POST on ${kind}: ${expected[kind].post ? 'retry' : 'no retry'}`, () => {
      assert.equal(shouldRetry('POST', fault), expected[kind].post);
    });
    it(`POST marked idempotent on ${kind}: like GET`, () => {
      assert.equal(shouldRetry('POST', fault, { idempotent: true }), expected[kind].idem);
    });
  }

  it('4xx is never retried, whatever the method or marking', () => {
    for (const status of [400, 401, 403, 404, 409, 422, 429]) {
      for (const method of ['GET', 'PUT', 'DELETE', 'POST'] as HttpMethod[]) {
        assert.equal(shouldRetry(method, classifyFault({ status }), { idempotent: true }), false);
      }
    }
  });

  it('a POST that failed after sending may have been applied; a refused one not', () => {
    assert.equal(mayHaveReachedServer({ kind: 'refused', code: 'ECONNREFUSED' }), false);
    assert.equal(mayHaveReachedServer({ kind: 'dns', code: 'EAI_AGAIN' }), false);
    assert.equal(mayHaveReachedServer({ kind: 'reset', code: 'ECONNRESET' }), true);
    assert.equal(mayHaveReachedServer({ kind: 'timeout', code: 'ETIMEDOUT' }), true);
    assert.equal(mayHaveReachedServer({ kind: 'http5xx', code: 'HTTP 503', status: 503 }), true);
  });
});

describe('sleep', () => {
  it('rejects when the signal aborts', async () => {
    const ctl = new AbortController();
    const p = sleep(10_000, ctl.signal);
    ctl.abort(new Error('stop'));
    await assert.rejects(p, /stop/);
  });

  it('rejects at once for an aborted signal', async () => {
    await assert.rejects(sleep(10, AbortSignal.abort(new Error('gone'))), /gone/);
  });

  it('resolves after the delay', async () => {
    const t0 = Date.now();
    await sleep(20);
    assert.ok(Date.now() - t0 >= 15);
  });
});
