import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeHtml } from '../../src/core/escape-html.js';
import { html, raw } from '../../src/web/ui-kit/html.js';
import { clipped, formatValue, htmlToText } from '../../src/web/pages/format.js';
import { cutText } from '../../src/core/text.js';
import { safeNext } from '../../src/web/pages/login.js';
import { parseListQuery } from '../../src/web/pages/shared-list.js';

describe('html tagged template', () => {
  test('escapes every interpolation', () => {
    const evil = `<script>alert(1)</script><img src=x onerror="alert('x')">\`&`;
    assert.equal(
      html`<p title="${evil}">${evil}</p>`.value,
      '<p title="&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&#96;&amp;">&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&#96;&amp;</p>',
    );
  });

  test('nested templates and raw() go in as they are; arrays are joined, each escaped', () => {
    const items = ['<a>', html`<b>ok</b>`, 3];
    assert.equal(html`<div>${items}${raw('<hr>')}</div>`.value, '<div>&lt;a&gt;<b>ok</b>3<hr></div>');
  });

  test('null, undefined and false render as nothing; 0 and true as text', () => {
    assert.equal(html`${null}|${undefined}|${false}|${0}|${true}`.value, '|||0|true');
  });

  test('escapeHtml leaves plain text alone', () => {
    assert.equal(escapeHtml('plain text 123'), 'plain text 123');
  });

  test('a note in HTML becomes text, which is escaped again when shown', () => {
    const text = htmlToText('<p>Hi &lt;script&gt;x&lt;/script&gt;</p><img src=x onerror=alert(1)>');
    assert.equal(text, 'Hi <script>x</script>');
    assert.equal(html`${text}`.value, 'Hi &lt;script&gt;x&lt;/script&gt;');
    assert.equal(formatValue('discovered_date', 0), '1970-01-01 00:00 UTC');
    assert.equal(formatValue('severity_code', { id: 5, name: 'High' }), 'High');
  });

  test('bidi controls are shown, never applied, in text and attributes', () => {
    assert.equal(html`<a title="${'\u202Egpj.exe'}">${'\u202Egpj.exe \u2066x\u2069 \u200F'}</a>`.value, '<a title="[U+202E]gpj.exe">[U+202E]gpj.exe [U+2066]x[U+2069] [U+200F]</a>');
    assert.equal(html`${'שלום עולם'}`.value, 'שלום עולם', 'right-to-left text itself is left alone');
  });

  test('long text is clipped with the whole of it one click away; HTML fields are shown as text', () => {
    assert.equal(clipped('short').value, 'short');
    const long = `${'a'.repeat(300)}<b>`;
    const out = clipped(long).value;
    assert.match(out, /^<details class="clip"><summary>a{199}… <span class="more">\(show all 303 characters\)<\/span><\/summary><div class="full">a{300}&lt;b&gt;<\/div><\/details>$/);
    assert.equal(cutText('😀'.repeat(150), 200).length, 199, 'never inside a surrogate pair');
    assert.equal(formatValue('description', '<p>Quarterly <b>payroll</b> &amp; more</p>'), 'Quarterly payroll & more');
    assert.equal(formatValue('name', '<p>kept</p>'), '<p>kept</p>', 'a name is not HTML');
  });

  test('after sign-in only a path of the UI is followed', () => {
    assert.equal(safeNext('/ui/shared/soar2/5'), '/ui/shared/soar2/5');
    for (const bad of ['https://evil.example/', '//evil.example/ui/', '/ui//evil', '/other', '/ui/logout', null, '/ui/"><script>']) {
      assert.equal(safeNext(bad), '/ui/shared', String(bad));
    }
  });
});

describe('shared list query', () => {
  test('lenient: unknown values fall back to defaults; pages stay within the sources\' window', () => {
    const q = parseListQuery(new URLSearchParams('sort=toString&per_page=7&page=-3&q=%20x%20'));
    assert.deepEqual(q, { q: 'x', origin: '', severity: '', sort: 'newest', page: 1, perPage: 25 });
    assert.equal(parseListQuery(new URLSearchParams('per_page=100&page=999999')).page, 100);
    assert.equal(parseListQuery(new URLSearchParams('sort=severity&severity=HIGH')).severity, 'high');
  });
});
