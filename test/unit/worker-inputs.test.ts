import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeInputs } from '../../src/worker/inputs.js';

test('SOAR input kinds are normalized as in the real capture', () => {
  // The inputs of the real capture (resilient_circuits_debug_log_stomp_session.log).
  const normalized = normalizeInputs({
    mock_input_text_with_value_string: { format: 'text', content: 'data value one  ล ฦ' },
    mock_input_text: 'abc',
    mock_input_boolean: true,
    mock_input_multiselect: [{ id: 55, name: 'value one' }, { id: 56, name: 'value two' }],
    mock_input_select: { id: 53, name: 'select two' },
    mock_input_number: 1630407352685,
  });
  assert.deepEqual(normalized, {
    mock_input_text_with_value_string: 'data value one  ล ฦ',
    mock_input_text: 'abc',
    mock_input_boolean: true,
    mock_input_multiselect: ['value one', 'value two'],
    mock_input_select: 'select two',
    mock_input_number: 1630407352685,
  });
});

test('null inputs are dropped; objects that only look similar are kept', () => {
  assert.deepEqual(normalizeInputs({ a: null, b: { id: 1, name: 'x', extra: true }, c: [], d: { format: 'html' } }), {
    b: { id: 1, name: 'x', extra: true },
    c: [],
    d: { format: 'html' },
  });
});

test('an input named __proto__ never becomes the prototype of the inputs', () => {
  const inputs = JSON.parse('{"__proto__": {"clearing_ping_delay_ms": 59999}, "a": 1}') as Record<string, never>;
  const out = normalizeInputs(inputs);
  assert.equal((out as Record<string, unknown>)['clearing_ping_delay_ms'], undefined);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ['__proto__', 'a']);
});
