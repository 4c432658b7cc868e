import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/core/errors.js';
import { parseFunctionMessage } from '../../src/worker/message.js';

const headers = {
  'reply-to': '/queue/acks.201.fn_clearing',
  'correlation-id': 'invid:80',
  Co3MessagePayload: 'FunctionDataDTO',
  Co3ContextToken: 'eyJhbGciOiJIUzI1NiJ9.bnVsbA.sig',
  'message-id': 'ID:x-1',
};
const body = JSON.stringify({
  function: { name: 'clearing_ping', id: 3 },
  inputs: { clearing_ping_message: 'hi' },
  principal: { name: 'admin@example.com' },
  workflow: { programmatic_name: 'wf_one' },
  workflow_instance: { workflow_instance_id: 80 },
});

test('a FunctionDataDTO becomes an invocation', () => {
  const r = parseFunctionMessage(headers, body);
  assert.ok(r.ok);
  assert.deepEqual(r.invocation, {
    replyTo: '/queue/acks.201.fn_clearing', correlationId: 'invid:80', functionName: 'clearing_ping',
    inputs: { clearing_ping_message: 'hi' }, contextToken: 'eyJhbGciOiJIUzI1NiJ9.bnVsbA.sig',
    workflowInstanceId: 80, workflow: 'wf_one', principal: 'admin@example.com',
  });
});

test('poison messages are classified and keep their reply address', () => {
  const cases: Array<[Record<string, string>, string, ErrorCode, boolean]> = [
    [headers, '{not json', ErrorCode.MessageMalformed, true],
    [headers, '[1,2]', ErrorCode.MessageMalformed, true],
    [headers, '{"inputs":{}}', ErrorCode.MessageMalformed, true],
    [headers, '{"function":{"name":"f"},"inputs":[1]}', ErrorCode.MessageMalformed, true],
    [{ ...headers, Co3MessagePayload: 'ActionDataDTO' }, body, ErrorCode.MessageUnsupported, true],
    [{ 'message-id': 'x' }, body, ErrorCode.MessageMalformed, false],
  ];
  for (const [h, b, code, answerable] of cases) {
    const r = parseFunctionMessage(h, b);
    assert.equal(r.ok, false, b);
    if (r.ok) continue;
    assert.equal(r.error.code, code, b);
    assert.equal(r.reply !== null, answerable, b);
  }
});

test('missing inputs mean no inputs', () => {
  const r = parseFunctionMessage(headers, '{"function":{"name":"f"}}');
  assert.ok(r.ok);
  assert.deepEqual(r.invocation.inputs, {});
});

test('inputs nested absurdly deep are refused as invalid inputs, without exhausting the stack', () => {
  const deep = `${'{"x":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
  const r = parseFunctionMessage(headers, `{"function":{"name":"f"},"inputs":{"a":${deep}}}`);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, ErrorCode.InputInvalid);
    assert.match(r.error.message, /nested deeper than 32 levels/);
  }
});
