import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorReply, finalReply, metricsTimestamp, resultsV2, statusReply } from '../../src/worker/replies.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../../src/core/version.js';

test('status and error replies have SOAR shapes', () => {
  assert.deepEqual(JSON.parse(statusReply('working')), { message_type: 0, message: 'working', complete: false });
  assert.deepEqual(JSON.parse(errorReply('boom')), { message_type: 1, message: 'boom', complete: true });
});

test('final reply carries results v2 with version written as 2.0', () => {
  const at = new Date(2021, 11, 2, 14, 48, 45);
  const raw = finalReply(resultsV2({ k: 'v' }, { a: 1 }, 12, at));
  assert.match(raw, /"results":\{"version":2\.0,"success":true,/);
  const parsed = JSON.parse(raw) as Record<string, unknown>;
  assert.deepEqual(parsed, {
    message_type: 0,
    message: 'Completed',
    complete: true,
    results: {
      version: 2, success: true, reason: null, content: { k: 'v' }, raw: null, inputs: { a: 1 },
      metrics: {
        version: '1.0', package: PACKAGE_NAME, package_version: PACKAGE_VERSION,
        host: (parsed['results'] as { metrics: { host: string } }).metrics.host,
        execution_time_ms: 12, timestamp: '2021-12-02 14:48:45',
      },
    },
  });
  assert.equal(metricsTimestamp(new Date(2026, 0, 5, 3, 4, 5)), '2026-01-05 03:04:05');
});
