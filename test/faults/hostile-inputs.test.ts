/**
 * Issue 8, fault 4: a corpus of malformed and hostile inputs against one `soar-clearing run`
 * process that is both a worker (STOMP) and a clearing node (peer API over mutual TLS):
 *  - worker: bad JSON, wrong types, huge bodies, unicode edge cases, missing headers, wrong
 *    Co3MessagePayload, deeply nested JSON, prototype-pollution keys, hostile function names.
 *    Every answerable message gets exactly one final reply: an error reply (message_type 1)
 *    whose message starts with the expected `[code]`, or, for inputs that are odd but valid
 *    (unicode text, extra keys), a success that echoes them exactly. Messages without reply-to
 *    or correlation-id cannot be answered: the worker logs a `rejected message` warning with
 *    code message_malformed and ACKs them.
 *  - peer API: bad JSON, wrong content types, huge bodies (declared and streamed), path tricks,
 *    missing and extra fields, wrong methods, unknown peers: each a 4xx with a JSON
 *    `{"error":{"code"}}` of the expected stable code.
 * Afterwards the process is still up, answers a ping, and its RSS grew by less than a bound.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import type { SoarInvoker } from '../../sim/emulator/invoker.js';
import { freePort } from '../support/broker.js';
import { makeNodeCert, type NodeCert } from '../support/certs.js';
import { figures, rssKb, sleep } from '../support/faults.js';
import { uniqueDestination, WorkerProcess, World } from '../support/world.js';

/**
 * RSS growth allowed over the whole corpus, which sends ~60 MB of huge bodies (5 MiB garbage,
 * an 8 MiB string, a 1e6-element array, 100k keys, 100k-deep nesting): V8 keeps some of the
 * heap it grew to, so this bounds growth, not a return to the start. RSS is the lowest of
 * several samples over 3 s after the corpus (GC settles).
 */
const RSS_BOUND_MB = 400;

async function settledRssKb(pid: number): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < 6; i++) {
    await sleep(500);
    min = Math.min(min, rssKb(pid));
  }
  return min;
}

type Expect = { code: string } | { success: true; echo?: string } | { unanswerable: true };
interface WorkerCase {
  readonly name: string;
  readonly fn?: string;
  readonly inputs?: Record<string, unknown>;
  readonly rawBody?: string;
  readonly headers?: Record<string, string | null>;
  readonly correlationId?: string;
  readonly expect: Expect;
  /** Any of these codes is a clear answer (where the exact check depends on normalization). */
  readonly orCodes?: readonly string[];
}

/** Inputs nested deeper than the worker's limit are refused as invalid inputs. */
const DEEP_CODES = ['input_invalid'];

const dto = (fn: unknown, inputs: unknown, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ function: fn, inputs, ...extra });
const nested = (depth: number, leaf = '1'): string => '['.repeat(depth) + leaf + ']'.repeat(depth);
const nestedObj = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

function workerCorpus(): WorkerCase[] {
  const cases: WorkerCase[] = [];
  const malformed = { code: 'message_malformed' };
  // Bad JSON and non-object JSON, with and without the payload header.
  const badJson = [
    '', ' ', '\n', '{', '}', '[', ']', '{"function":', '{"function": {"name": "clearing_ping"}', "{'function': 1}", '{"a":1,}',
    'NaN', 'undefined', 'Infinity', '-', '1e999999', 'null', 'true', 'false', '0', '"string"', '[]', '[1,2,3]',
    '{"function":{"name":"clearing_ping"}}trailing', '/* comment */ {}',
    '{"function":{"name":"clearing_ping"},"inputs":{}', '\u2028', '{"a":"\\x41"}', '{"a":"\\u12"}', '{"a":01}', '{"a":.5}',
    'x'.repeat(5 * 1024 * 1024), // 5 MiB of garbage
    '{"function":' + '"x"'.repeat(1000) + '}',
  ];
  for (const [i, body] of badJson.entries()) {
    cases.push({ name: `bad json #${i}`, rawBody: body, expect: malformed });
    cases.push({ name: `bad json #${i} without Co3MessagePayload`, rawBody: body, headers: { Co3MessagePayload: null }, expect: malformed });
  }
  // A UTF-8 BOM before valid JSON is dropped by the UTF-8 decoding of the frame: a valid message.
  cases.push({ name: 'BOM before valid JSON', rawBody: '\ufeff{"function":{"name":"clearing_ping"},"inputs":{"clearing_ping_message":"bom"}}', expect: { success: true, echo: 'bom' } });
  // Well-formed JSON, wrong shape.
  const shapes: [string, string][] = [
    ['no function', JSON.stringify({ inputs: {} })],
    ['function null', dto(null, {})],
    ['function string', dto('clearing_ping', {})],
    ['function array', dto(['clearing_ping'], {})],
    ['function number', dto(7, {})],
    ['function.name missing', dto({ id: 3 }, {})],
    ['function.name empty', dto({ name: '' }, {})],
    ['function.name number', dto({ name: 42 }, {})],
    ['function.name null', dto({ name: null }, {})],
    ['function.name array', dto({ name: ['clearing_ping'] }, {})],
    ['function.name object', dto({ name: { name: 'clearing_ping' } }, {})],
    ['function.name bool', dto({ name: true }, {})],
    ['inputs array', dto({ name: 'clearing_ping' }, [])],
    ['inputs string', dto({ name: 'clearing_ping' }, 'x')],
    ['inputs number', dto({ name: 'clearing_ping' }, 5)],
    ['inputs true', dto({ name: 'clearing_ping' }, true)],
    ['top-level array of dto', `[${dto({ name: 'clearing_ping' }, {})}]`],
  ];
  for (const [name, body] of shapes) cases.push({ name, rawBody: body, expect: malformed });
  // Payload types other than FunctionDataDTO.
  for (const p of ['ActionDataDTO', '', 'functiondatadto', 'FunctionDataDTO\\n', 'FunctіonDataDTO', 'X'.repeat(5000), 'null', '__proto__']) {
    cases.push({ name: `Co3MessagePayload ${JSON.stringify(p.slice(0, 20))}`, fn: 'clearing_ping', inputs: {}, headers: { Co3MessagePayload: p }, expect: { code: 'message_unsupported' } });
  }
  // Surrounding blanks in the header value do not reach the worker (the header is trimmed on the way): served.
  for (const p of ['FunctionDataDTO ', ' FunctionDataDTO']) {
    cases.push({ name: `Co3MessagePayload ${JSON.stringify(p)}`, fn: 'clearing_ping', inputs: { clearing_ping_message: 'blank' }, headers: { Co3MessagePayload: p }, expect: { success: true, echo: 'blank' } });
  }
  // Headers that cannot be answered; and optional ones missing.
  for (const drop of [['reply-to'], ['correlation-id'], ['reply-to', 'correlation-id']]) {
    cases.push({ name: `no ${drop.join(' and ')}`, fn: 'clearing_ping', inputs: {}, headers: Object.fromEntries(drop.map((h) => [h, null])), expect: { unanswerable: true } });
  }
  cases.push({ name: 'empty reply-to', fn: 'clearing_ping', inputs: {}, headers: { 'reply-to': '' }, expect: { unanswerable: true } });
  for (const drop of ['Co3ContextToken', 'Co3ContentType', 'Co3RemoteAddr', 'priority']) {
    cases.push({ name: `no ${drop}`, fn: 'clearing_ping', inputs: { clearing_ping_message: drop }, headers: { [drop]: null }, expect: { success: true, echo: drop } });
  }
  cases.push({ name: 'garbage context token', fn: 'clearing_ping', inputs: { clearing_ping_message: 'tok' }, headers: { Co3ContextToken: 'not.a.jwt\u00ff' }, expect: { success: true, echo: 'tok' } });
  // Functions this app does not serve, including names that are object-prototype members.
  for (const fn of ['nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '../../etc/passwd',
    'CLEARING_PING', 'clearing_ping ', ' clearing_ping', 'clearing_ping\u0000', 'clearing_pіng', 'f'.repeat(10_000), '💥', 'clearing_retired_function']) {
    cases.push({ name: `function ${JSON.stringify(fn.slice(0, 24))}`, rawBody: dto({ name: fn }, {}), expect: { code: 'function_unknown' } });
  }
  // Wrong input types and values for clearing_ping.
  const badInputs: Record<string, unknown>[] = [
    { clearing_ping_delay_ms: 'abc' }, { clearing_ping_delay_ms: -1 }, { clearing_ping_delay_ms: 60_001 }, { clearing_ping_delay_ms: 1.5 },
    { clearing_ping_delay_ms: true }, { clearing_ping_delay_ms: [] }, { clearing_ping_delay_ms: [1] }, { clearing_ping_delay_ms: {} },
    { clearing_ping_delay_ms: '10' }, { clearing_ping_delay_ms: 1e300 }, { clearing_ping_delay_ms: -0.0001 }, { clearing_ping_delay_ms: Number.MAX_SAFE_INTEGER + 2 },
    { clearing_ping_message: 123 }, { clearing_ping_message: true }, { clearing_ping_message: ['a'] }, { clearing_ping_message: { a: 1 } },
    { clearing_ping_message: 'x'.repeat(10_001) }, { clearing_ping_message: 'x'.repeat(1024 * 1024) },
    { clearing_ping_delay_ms: { name: 'slow' } }, { clearing_ping_message: 7, clearing_ping_delay_ms: 'x' },
  ];
  for (const inputs of badInputs) {
    cases.push({ name: `ping inputs ${JSON.stringify(inputs).slice(0, 60)}`, fn: 'clearing_ping', inputs, expect: { code: 'input_invalid' } });
  }
  for (const fn of ['clearing_involve_group_coordination', 'clearing_share_incident', 'clearing_distribute_incident']) {
    for (const inputs of [{}, { incident_id: 'x' }, { incident_id: -1 }, { incident_id: 1.5 }, { incident_id: null }, { incident_id: [] }, { incident_id: 1, surplus: true }]) {
      cases.push({ name: `${fn} inputs ${JSON.stringify(inputs)}`, fn, inputs, expect: { code: 'input_invalid' } });
    }
  }
  // Prototype-pollution keys: never a crash; ping allows extra keys, so these succeed and echo.
  const pollution = [
    '{"function":{"name":"clearing_ping"},"inputs":{"clearing_ping_message":"p1","__proto__":{"polluted":1}}}',
    '{"function":{"name":"clearing_ping"},"inputs":{"clearing_ping_message":"p2","constructor":{"prototype":{"polluted":1}}}}',
    '{"__proto__":{"inputs":{"clearing_ping_message":"bad"}},"function":{"name":"clearing_ping"},"inputs":{"clearing_ping_message":"p3"}}',
    '{"function":{"name":"clearing_ping","__proto__":{"name":"x"}},"inputs":{"clearing_ping_message":"p4"}}',
    '{"function":{"name":"clearing_ping"},"inputs":{"clearing_ping_message":"p5","__proto__":null}}',
    '{"function":{"name":"clearing_ping"},"inputs":{"clearing_ping_message":"p6","__proto__":{"clearing_ping_delay_ms":1}}}',
    '{"function":{"name":"clearing_ping"},"inputs":{"clearing_ping_message":"p7","hasOwnProperty":1,"toString":"x","valueOf":[]}}',
    '{"function":{"name":"clearing_ping"},"inputs":{"clearing_ping_message":"p8"},"workflow":{"__proto__":{"programmatic_name":"x"}},"principal":{"constructor":1}}',
  ];
  for (const [i, body] of pollution.entries()) cases.push({ name: `pollution #${i}`, rawBody: body, expect: { success: true, echo: `p${i + 1}` } });
  for (const [i, key] of ['__proto__', 'constructor', 'prototype'].entries()) {
    cases.push({ name: `share with ${key} key`, rawBody: `{"function":{"name":"clearing_share_incident"},"inputs":{"incident_id":1,"${key}":{"x":1}}}`, expect: { code: 'input_invalid' } });
    void i;
  }
  // Odd-but-valid context fields: the invocation still runs.
  for (const [i, extra] of [{ workflow_instance: 'x' }, { principal: 5 }, { workflow: [] }, { workflow_instance: { workflow_instance_id: 'x' } }, { groups: null }, { playbook_instance: { a: [] } }].entries()) {
    cases.push({ name: `odd context #${i}`, rawBody: dto({ name: 'clearing_ping' }, { clearing_ping_message: `ctx${i}` }, extra), expect: { success: true, echo: `ctx${i}` } });
  }
  // Deep nesting, in inputs (ping allows extra keys) and around the whole message.
  for (const depth of [100, 1000, 10_000, 100_000]) {
    cases.push({ name: `nested array depth ${depth} in inputs`, rawBody: `{"function":{"name":"clearing_ping"},"inputs":{"clearing_ping_message":"n${depth}","deep":${nested(depth)}}}`, expect: { success: true, echo: `n${depth}` }, orCodes: DEEP_CODES });
    cases.push({ name: `nested object depth ${depth} in inputs`, rawBody: `{"function":{"name":"clearing_ping"},"inputs":{"clearing_ping_message":"o${depth}","deep":${nestedObj(depth)}}}`, expect: { success: true, echo: `o${depth}` }, orCodes: DEEP_CODES });
    cases.push({ name: `nested depth ${depth} as message_input`, fn: 'clearing_ping', rawBody: `{"function":{"name":"clearing_ping"},"inputs":{"clearing_ping_message":${nested(depth, '"x"')}}}`, expect: { code: 'input_invalid' } });
    cases.push({ name: `nested depth ${depth} as function`, rawBody: `{"function":${nested(depth)},"inputs":{}}`, expect: malformed });
  }
  // Huge: wide arrays and big strings in an allowed extra key.
  cases.push({ name: 'inputs with 1e6-element array', rawBody: `{"function":{"name":"clearing_ping"},"inputs":{"clearing_ping_message":"wide","w":[${new Array(1_000_000).fill('0').join(',')}]}}`, expect: { success: true, echo: 'wide' } });
  cases.push({ name: 'inputs with 100k keys', rawBody: `{"function":{"name":"clearing_ping"},"inputs":{"clearing_ping_message":"keys",${Array.from({ length: 100_000 }, (_, i) => `"k${i}":${i}`).join(',')}}}`, expect: { success: true, echo: 'keys' } });
  cases.push({ name: '8 MiB string in an extra input', fn: 'clearing_ping', inputs: { clearing_ping_message: 'big', blob: 'y'.repeat(8 * 1024 * 1024) }, expect: { success: true, echo: 'big' } });
  // Unicode edge cases: echoed exactly.
  const texts = ['é✓ünïcödé', '😀👩‍👩‍👧‍👦🏳️‍🌈', '\u202eRTL override', 'zero\u200bwidth\u200d', 'a\u0000b', '\ud800 lone high', 'lone low \udfff', '\ufeffBOM',
    'line\u2028sep\u2029', 'Ａｂｃ fullwidth', 'e\u0301\u0301\u0301 combining', '𝕏𝕐ℤ math', '\u0007\u001b[31mansi', 'tab\tnew\nline\r', '"quotes" \\ backslash', '</script><script>alert(1)</script>',
    '${jndi:ldap://x}', '%s%n%x', "'; DROP TABLE incidents; --", 'x'.repeat(10_000)];
  for (const [i, text] of texts.entries()) {
    cases.push({ name: `unicode message #${i}`, fn: 'clearing_ping', inputs: { clearing_ping_message: text }, expect: { success: true, echo: text } });
  }
  // Odd correlation ids: the reply carries the same one back.
  for (const [i, cid] of ['invid:é✓', 'invid:😀', 'invid:a:b:c', 'invid:' + 'c'.repeat(2000), 'invid:back\\slash', 'invid:tab\there'].entries()) {
    cases.push({ name: `correlation id #${i}`, fn: 'clearing_ping', inputs: { clearing_ping_message: `cid${i}` }, correlationId: cid, expect: { success: true, echo: `cid${i}` } });
  }
  return cases;
}

interface PeerCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Stream this many bytes chunked (no Content-Length). */
  readonly streamBytes?: number;
  readonly as?: 'eu' | 'intruder';
  readonly status: number;
  readonly code: string | readonly string[];
}

interface RawHttp {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One HTTP/1.1 request written byte for byte over mutual TLS (no client-side normalization). */
function rawHttps(port: number, cert: NodeCert, ca: string, c: PeerCase): Promise<RawHttp> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: readFileSync(ca), cert: readFileSync(cert.cert), key: readFileSync(cert.key) });
    const chunks: Buffer[] = [];
    let stopped = false;
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (err) => {
      if (chunks.length === 0) reject(err);
    });
    socket.on('close', () => {
      stopped = true;
      const text = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.1 (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      if (!m) {
        reject(new Error(`not an HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const headers: Record<string, string> = {};
      for (const line of m[2]!.split('\r\n')) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      let body = m[3]!;
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
        let out = '';
        let rest = body;
        while (true) {
          const nl = rest.indexOf('\r\n');
          const size = parseInt(rest.slice(0, nl), 16);
          if (!size) break;
          out += rest.slice(nl + 2, nl + 2 + size);
          rest = rest.slice(nl + 2 + size + 2);
        }
        body = out;
      }
      resolve({ status: Number(m[1]), headers, body });
    });
    socket.once('secureConnect', () => {
      const head = [`${c.method} ${c.path} HTTP/1.1`, `host: 127.0.0.1:${port}`, 'connection: close'];
      for (const [k, v] of Object.entries(c.headers ?? {})) head.push(`${k}: ${v}`);
      if (c.streamBytes !== undefined) {
        head.push('transfer-encoding: chunked');
        socket.write(head.join('\r\n') + '\r\n\r\n');
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const pump = (): void => {
          while (!stopped && sent < c.streamBytes!) {
            sent += chunk.length;
            const ok = socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n');
            if (!ok) {
              socket.once('drain', pump);
              return;
            }
          }
          if (!stopped) socket.write('0\r\n\r\n');
        };
        pump();
      } else {
        const body = c.body === undefined ? undefined : Buffer.from(c.body);
        if (body !== undefined && !Object.keys(c.headers ?? {}).some((k) => k.toLowerCase() === 'content-length')) head.push(`content-length: ${body.length}`);
        socket.write(head.join('\r\n') + '\r\n\r\n');
        if (body) socket.write(body);
      }
    });
  });
}

function peerCorpus(): PeerCase[] {
  const cases: PeerCase[] = [];
  const json = { 'content-type': 'application/json' };
  const dist = '/api/v1/brands/soar2/incidents';
  const valid = {
    origin: { node: 'eu', brand: 'soar1', incident_id: 900_001 },
    incident: { name: 'hostile', discovered_date: 1 },
    notes: [], artifacts: [], attachments: [], tasks: [],
    dropped: { incident_fields: 0, properties: 0, notes: 0, artifacts: 0, attachments: 0, tasks: 0, truncated_values: 0 },
  };
  // Bad JSON.
  const badJson = ['', '{', '}', '[', '{"origin":', "{'a':1}", '{"a":1,}', 'NaN', 'undefined', '{"a":01}', '\ufeff{}', '{"a":"\\x"}', '{}}', 'x'.repeat(100_000),
    JSON.stringify(valid) + 'trailing', '/* c */{}', '{"a":"\\ud800"', '\u0000', '{"a":1}\u0000'];
  for (const [i, body] of badJson.entries()) {
    // A BOM before `{}` is dropped by UTF-8 decoding: then it is `{}`, which the schema refuses.
    const code = body.startsWith('\ufeff') ? ['body_malformed', 'body_invalid'] : 'body_malformed';
    cases.push({ name: `bad json #${i}`, method: 'POST', path: dist, headers: json, body, status: 400, code });
    cases.push({ name: `bad json #${i} (charset)`, method: 'POST', path: dist, headers: { 'content-type': 'application/json; charset=utf-8' }, body, status: 400, code });
  }
  // Valid JSON, wrong shape: missing fields, extra fields, wrong types.
  const shapes: unknown[] = [null, true, 1, 'str', [], [valid], {}];
  for (const key of Object.keys(valid)) {
    const { [key]: _dropped, ...rest } = valid as Record<string, unknown>;
    shapes.push(rest);
    for (const bad of [null, 1, 'x', true, [], {}]) {
      // Skip the values that are valid there (an empty list; an incident with no fields yet).
      if (JSON.stringify(bad) === JSON.stringify((valid as Record<string, unknown>)[key]) || (key === 'incident' && JSON.stringify(bad) === '{}')) continue;
      shapes.push({ ...valid, [key]: bad });
    }
  }
  for (const key of ['node', 'brand', 'incident_id']) {
    const { [key]: _d, ...origin } = valid.origin as Record<string, unknown>;
    shapes.push({ ...valid, origin });
    shapes.push({ ...valid, origin: { ...valid.origin, [key]: { $gt: '' } } });
  }
  shapes.push({ ...valid, surplus: 1 }, { ...valid, origin: { ...valid.origin, extra: 'x' } }, { ...valid, dropped: { ...valid.dropped, notes: -1 } });
  shapes.push({ ...valid, origin: { ...valid.origin, incident_id: 'nine' } }, { ...valid, origin: { ...valid.origin, incident_id: 1.5 } });
  for (const [i, shape] of shapes.entries()) cases.push({ name: `body shape #${i}`, method: 'POST', path: dist, headers: json, body: JSON.stringify(shape), status: 400, code: 'body_invalid' });
  // Prototype-pollution keys: extra properties, refused by the schema.
  for (const p of ['{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}']) {
    const body = JSON.stringify(valid).replace(/^\{/, p.slice(0, -1) + ',');
    cases.push({ name: `pollution ${p.slice(2, 12)}`, method: 'POST', path: dist, headers: json, body, status: 400, code: 'body_invalid' });
    cases.push({ name: `pollution ${p.slice(2, 12)} in origin`, method: 'POST', path: dist, headers: json, body: JSON.stringify(valid).replace('"origin":{', `"origin":{${p.slice(1, -1)},`), status: 400, code: 'body_invalid' });
  }
  // Deep nesting.
  for (const depth of [1000, 100_000]) {
    cases.push({ name: `nested body depth ${depth}`, method: 'POST', path: dist, headers: json, body: nested(depth), status: 400, code: ['body_invalid', 'body_malformed'] });
    cases.push({ name: `nested origin depth ${depth}`, method: 'POST', path: dist, headers: json, body: JSON.stringify(valid).replace('"origin":{', `"origin":{"deep":${nestedObj(depth)},`), status: 400, code: ['body_invalid', 'body_malformed'] });
    cases.push({ name: `nested dropped depth ${depth}`, method: 'POST', path: dist, headers: json, body: JSON.stringify(valid).replace('"dropped":{', `"dropped":{"deep":${nested(depth)},`), status: 400, code: ['body_invalid', 'body_malformed'] });
  }
  // Content types.
  for (const ct of [undefined, 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/jsonx', 'application/json-patch+json', 'text/json', 'json', '', '*/*']) {
    cases.push({ name: `content-type ${JSON.stringify(ct)}`, method: 'POST', path: dist, headers: ct === undefined ? {} : { 'content-type': ct }, body: JSON.stringify(valid), status: 415, code: 'content_type' });
  }
  // Huge bodies: declared, and streamed without a length.
  cases.push({ name: 'declared 41 MiB', method: 'POST', path: dist, headers: { ...json, 'content-length': String(41 * 1024 * 1024) }, status: 413, code: 'body_too_large' });
  cases.push({ name: 'declared 2^53 bytes', method: 'POST', path: dist, headers: { ...json, 'content-length': '9007199254740993' }, status: 413, code: 'body_too_large' });
  cases.push({ name: 'declared 40 MiB + 1', method: 'POST', path: dist, headers: { ...json, 'content-length': String(40 * 1024 * 1024 + 1) }, status: 413, code: 'body_too_large' });
  // (A body streamed past the limit without Content-Length is covered by test/integration/peer-api.test.ts.)
  // Path tricks.
  for (const p of ['/api/v1/../v1/health', '/api/v1/%2e%2e/v1/health', '/api/v1/brands/soar2%2fx/incidents', '/api/v1/brands/..%2f..%2fetc/incidents', '//api/v1/health', '/api//v1/health',
    '/api/v1/health%00', '/api/v1/brands/soar2%00/incidents', '/api/v1/' + 'a'.repeat(9000), '/api/v1/brands/%2e%2e/incidents', '/api/v1/brands/../brands/soar2/incidents', '/api/v1/%5c..%5chealth']) {
    cases.push({ name: `path ${p.slice(0, 50)}`, method: 'GET', path: p, status: 400, code: 'path_invalid' });
    cases.push({ name: `POST path ${p.slice(0, 50)}`, method: 'POST', path: p, headers: json, body: '{}', status: 400, code: 'path_invalid' });
  }
  // Unknown routes.
  for (const m of ['GET', 'POST', 'DELETE']) cases.push({ name: `${m} /`, method: m, path: '/', status: 400, code: 'path_invalid' }); // '/' is an empty segment
  for (const p of ['/api', '/api/v1', '/api/v2/health', '/api/v1/brands', '/api/v1/brands/soar2', '/api/v1/brands/soar2/incidents/1', '/admin', '/.env', '/api/v1/HEALTH', '/api/v1/health/x', '/favicon.ico']) {
    cases.push({ name: `route ${p}`, method: 'GET', path: p, status: 404, code: 'route_unknown' });
    cases.push({ name: `POST route ${p}`, method: 'POST', path: p, headers: json, body: '{}', status: 404, code: 'route_unknown' });
    cases.push({ name: `DELETE route ${p}`, method: 'DELETE', path: p, status: 404, code: 'route_unknown' });
  }
  // Wrong methods on known routes.
  for (const m of ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) cases.push({ name: `${m} distribute`, method: m, path: dist, status: 405, code: 'method_not_allowed' });
  for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    cases.push({ name: `${m} health`, method: m, path: '/api/v1/health', headers: json, body: '{}', status: 405, code: 'method_not_allowed' });
    cases.push({ name: `${m} shared list`, method: m, path: '/api/v1/brands/soar2/shared', headers: json, body: '{}', status: 405, code: 'method_not_allowed' });
  }
  // Authorization: a brand this node does not serve, an origin that is not the caller, an unknown peer.
  cases.push({ name: 'brand not served', method: 'POST', path: '/api/v1/brands/soar9/incidents', headers: json, body: JSON.stringify(valid), status: 403, code: 'forbidden' });
  cases.push({ name: 'origin node not the caller', method: 'POST', path: dist, headers: json, body: JSON.stringify({ ...valid, origin: { ...valid.origin, node: 'us' } }), status: 403, code: 'forbidden' });
  cases.push({ name: 'origin brand not behind the caller', method: 'POST', path: dist, headers: json, body: JSON.stringify({ ...valid, origin: { ...valid.origin, brand: 'soar2' } }), status: 403, code: 'forbidden' });
  for (const p of ['/api/v1/health', dist, '/api/v1/brands/soar2/shared', '/api/v1/brands/soar2/shared/soar1/1', '/nowhere', '/api/v1/../x']) cases.push({ name: `intruder ${p}`, method: p === dist ? 'POST' : 'GET', path: p, headers: json, body: '{}', as: 'intruder', status: 403, code: 'peer_unknown' });
  return cases;
}

describe('fault: hostile inputs to the worker and the peer API', () => {
  let world: World;
  let proc: WorkerProcess;
  let invoker: SoarInvoker;
  let peerPort: number;
  const pki = () => world.broker.pki;
  const rss: Record<string, number> = {};

  before(async () => {
    world = await World.start();
    peerPort = await freePort();
    const destination = uniqueDestination('fn_faults_hostile');
    const configPath = world.configFile({
      destination, nodeId: 'us', brandId: 'soar2', concurrency: 10,
      network: { cert: makeNodeCert(pki(), 'us'), listenPort: peerPort, peers: { eu: { url: 'https://127.0.0.1:1', brands: ['soar1'] } } },
    });
    invoker = await world.invoker(destination);
    proc = new WorkerProcess(configPath);
    await proc.ready;
    const warm = await invoker.invoke('clearing_ping', { clearing_ping_message: 'warm' });
    await invoker.final(warm);
    rss['start'] = rssKb(proc.pid);
  });
  after(async () => {
    await invoker?.close();
    if (proc) {
      proc.signal('SIGTERM');
      await proc.exited;
    }
    await world?.stop();
  });

  test('the worker answers every malformed or hostile message with a clear error (or an exact echo)', { timeout: 180_000 }, async (t) => {
    const cases = workerCorpus();
    const t0 = Date.now();
    const rejectedBefore = proc.output.filter((l) => /rejected message/.test(l)).length;
    const sent: { c: WorkerCase; id: string; at: number }[] = [];
    for (const c of cases) {
      const at = Date.now();
      const id = await invoker.invoke(c.fn ?? 'clearing_ping', c.inputs ?? {}, {
        ...(c.rawBody !== undefined ? { rawBody: c.rawBody } : {}),
        ...(c.headers ? { headers: c.headers } : {}),
        ...(c.correlationId ? { correlationId: c.correlationId } : {}),
      });
      sent.push({ c, id, at });
    }
    const answerable = sent.filter((s) => !('unanswerable' in s.c.expect));
    await invoker.waitUntil(() => answerable.every((s) => invoker.finalsFor(s.id).length > 0), 120_000, 'every final reply').catch(() => undefined);
    await sleep(500);
    const problems: string[] = [];
    const codes: Record<string, number> = {};
    const slowest = answerable
      .map((s) => ({ name: s.c.name, ms: (invoker.finalsFor(s.id)[0]?.at ?? Date.now()) - s.at }))
      .sort((a, b) => b.ms - a.ms).slice(0, 5).map((s) => `${s.name}: ${s.ms} ms`);
    for (const { c, id } of answerable) {
      const finals = invoker.finalsFor(id);
      if (finals.length !== 1) {
        problems.push(`${c.name}: ${finals.length} final replies`);
        continue;
      }
      const f = finals[0]!;
      if (f.headers['correlation-id'] !== id) problems.push(`${c.name}: reply correlation-id ${JSON.stringify(f.headers['correlation-id'])}`);
      const code = /^\[([a-z_]+)\]/.exec(f.json?.message ?? '')?.[1];
      codes[code ?? 'success'] = (codes[code ?? 'success'] ?? 0) + 1;
      if ('code' in c.expect) {
        if (f.json?.message_type !== 1 || code !== c.expect.code) problems.push(`${c.name}: expected [${c.expect.code}], got ${f.raw.slice(0, 200)}`);
      } else if ('success' in c.expect) {
        const echo = (f.json?.results as { content?: { message?: string } } | undefined)?.content?.message;
        const okCode = code !== undefined && c.orCodes?.includes(code) && f.json?.message_type === 1;
        if (!okCode && (f.json?.message !== 'Completed' || (c.expect.echo !== undefined && echo !== c.expect.echo))) {
          problems.push(`${c.name}: expected success echoing ${JSON.stringify(c.expect.echo?.slice(0, 40))}, got ${f.raw.slice(0, 200)}`);
        }
      }
    }
    const unanswerable = sent.length - answerable.length;
    const rejected = proc.output.filter((l) => /WARN .*rejected message: message has no reply-to or correlation-id/.test(l)).length;
    if (rejected - rejectedBefore < unanswerable && proc.output.filter((l) => /rejected message/.test(l)).length - rejectedBefore < unanswerable) {
      problems.push(`only ${rejected} of ${unanswerable} unanswerable messages logged as rejected`);
    }
    const stillUp = await invoker.invoke('clearing_ping', { clearing_ping_message: 'still here' });
    const after = await invoker.final(stillUp, 15_000);
    rss['after_worker_corpus'] = await settledRssKb(proc.pid);
    t.diagnostic(figures('hostile-worker', {
      cases: cases.length, answerable: answerable.length, unanswerable, problems: problems.length, outcomes: codes, slowest,
      rss_start_mb: (rss['start']! / 1024).toFixed(0), rss_after_mb: (rss['after_worker_corpus']! / 1024).toFixed(0), duration_s: ((Date.now() - t0) / 1000).toFixed(1),
    }));
    assert.deepEqual(problems, []);
    assert.ok(cases.length >= 200, `${cases.length} worker cases`);
    assert.equal(after.json?.message, 'Completed');
    assert.ok(rss['after_worker_corpus']! - rss['start']! < RSS_BOUND_MB * 1024, `RSS grew ${(rss['after_worker_corpus']! - rss['start']!) / 1024} MB`);
  });

  // Found by this suite (fixed): an `inputs.__proto__` object once supplied inputs through the
  // prototype: {"__proto__":{"clearing_ping_delay_ms":59999}} made a ping sleep 60 s.
  test('inputs.__proto__ does not supply inputs to the handler', { timeout: 20_000 }, async () => {
    const id = await invoker.invoke('clearing_ping', {}, { rawBody: '{"function":{"name":"clearing_ping"},"inputs":{"clearing_ping_message":"proto","__proto__":{"clearing_ping_delay_ms":4000}}}' });
    const t0 = Date.now();
    const final = await invoker.final(id, 15_000);
    assert.equal(final.json?.message, 'Completed');
    assert.ok(Date.now() - t0 < 2000, `the inherited delay was applied: answered after ${Date.now() - t0} ms`);
  });

  test('the peer API answers every malformed or hostile request with a 4xx JSON error of a stable code', { timeout: 120_000 }, async (t) => {
    const cases = peerCorpus();
    const t0 = Date.now();
    const certs = { eu: makeNodeCert(pki(), 'eu'), intruder: makeNodeCert(pki(), 'intruder') };
    const problems: string[] = [];
    const codes: Record<string, number> = {};
    for (const c of cases) {
      let answer: RawHttp;
      try {
        answer = await rawHttps(peerPort, certs[c.as ?? 'eu'], pki().caCert, c);
      } catch (err) {
        problems.push(`${c.name}: ${(err as Error).message}`);
        continue;
      }
      let code: string | undefined;
      try {
        code = (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
      } catch {
        code = undefined;
      }
      codes[`${answer.status} ${code}`] = (codes[`${answer.status} ${code}`] ?? 0) + 1;
      const want = typeof c.code === 'string' ? [c.code] : c.code;
      if (answer.status !== c.status || code === undefined || !want.includes(code) || !/application\/json/.test(answer.headers['content-type'] ?? '')) {
        problems.push(`${c.name}: expected ${c.status} ${want.join('|')}, got ${answer.status} ${answer.headers['content-type']} ${answer.body.slice(0, 160)}`);
      }
    }
    const health = await rawHttps(peerPort, certs.eu, pki().caCert, { name: 'health', method: 'GET', path: '/api/v1/health', status: 200, code: '' });
    const ping = await invoker.invoke('clearing_ping', { clearing_ping_message: 'after peer corpus' });
    const pong = await invoker.final(ping, 15_000);
    rss['after_peer_corpus'] = await settledRssKb(proc.pid);
    t.diagnostic(figures('hostile-peer', {
      cases: cases.length, problems: problems.length, outcomes: codes,
      rss_start_mb: (rss['start']! / 1024).toFixed(0), rss_after_mb: (rss['after_peer_corpus']! / 1024).toFixed(0), duration_s: ((Date.now() - t0) / 1000).toFixed(1),
    }));
    assert.deepEqual(problems, []);
    assert.ok(cases.length >= 200, `${cases.length} peer cases`);
    assert.equal(health.status, 200);
    assert.equal(pong.json?.message, 'Completed');
    assert.ok(rss['after_peer_corpus']! - rss['start']! < RSS_BOUND_MB * 1024, `RSS grew ${(rss['after_peer_corpus']! - rss['start']!) / 1024} MB`);
  });
});
