/**
 * A small, strict XML reader for the emulator's BPMN workflows: elements, attributes, text,
 * CDATA, comments, processing instructions and the five predefined entities plus numeric
 * character references. No DTDs, no external entities. Throws XmlError (with the offset) on
 * anything malformed, so a broken workflow is refused at import time as SOAR would.
 */

export interface XmlElement {
  /** The qualified name as written, e.g. `resilient:function`. */
  readonly name: string;
  /** The name without its prefix, e.g. `function`. */
  readonly local: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
}

export type XmlNode = XmlElement | string;

export class XmlError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} (at offset ${offset})`);
    this.name = 'XmlError';
  }
}

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;

function decodeEntities(s: string, offset: number): string {
  return s.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlError(`unterminated entity '${whole}'`, offset);
    switch (ref) {
      case 'lt': return '<';
      case 'gt': return '>';
      case 'amp': return '&';
      case 'quot': return '"';
      case 'apos': return "'";
      default: {
        const m = /^#(x[0-9A-Fa-f]+|[0-9]+)$/.exec(ref);
        if (!m) throw new XmlError(`unknown entity '&${ref};'`, offset);
        const code = m[1]!.startsWith('x') ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 10);
        if (!Number.isFinite(code) || code > 0x10ffff) throw new XmlError(`bad character reference '&${ref};'`, offset);
        return String.fromCodePoint(code);
      }
    }
  });
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i >= 0 ? name.slice(i + 1) : name;
}

/** Parses a whole document and returns its root element. */
export function parseXml(text: string): XmlElement {
  let pos = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) pos = 1;

  const fail = (msg: string): never => {
    throw new XmlError(msg, pos);
  };

  const readName = (): string => {
    const start = pos;
    if (pos >= n || !NAME_START.test(text[pos]!)) fail('expected a name');
    pos++;
    while (pos < n && NAME_CHAR.test(text[pos]!)) pos++;
    return text.slice(start, pos);
  };

  const skipWs = (): void => {
    while (pos < n && /\s/.test(text[pos]!)) pos++;
  };

  /** Skips comments, processing instructions and (refused) doctypes; true when something was skipped. */
  const skipMisc = (): boolean => {
    if (text.startsWith('<!--', pos)) {
      const end = text.indexOf('-->', pos + 4);
      if (end < 0) fail('unterminated comment');
      pos = end + 3;
      return true;
    }
    if (text.startsWith('<?', pos)) {
      const end = text.indexOf('?>', pos + 2);
      if (end < 0) fail('unterminated processing instruction');
      pos = end + 2;
      return true;
    }
    if (text.startsWith('<!DOCTYPE', pos)) fail('DOCTYPE is not allowed');
    return false;
  };

  const readElement = (): XmlElement => {
    if (text[pos] !== '<') fail("expected '<'");
    pos++;
    const name = readName();
    const attrs: Record<string, string> = {};
    for (;;) {
      skipWs();
      if (text.startsWith('/>', pos)) {
        pos += 2;
        return { name, local: localName(name), attrs, children: [] };
      }
      if (text[pos] === '>') {
        pos++;
        break;
      }
      const attrStart = pos;
      const an = readName();
      skipWs();
      if (text[pos] !== '=') fail(`expected '=' after attribute '${an}'`);
      pos++;
      skipWs();
      const q = text[pos];
      if (q !== '"' && q !== "'") fail(`attribute '${an}' needs a quoted value`);
      const end = text.indexOf(q!, pos + 1);
      if (end < 0) fail(`unterminated value of attribute '${an}'`);
      const raw = text.slice(pos + 1, end);
      if (raw.includes('<')) fail(`'<' in the value of attribute '${an}'`);
      if (an in attrs) throw new XmlError(`duplicate attribute '${an}'`, attrStart);
      attrs[an] = decodeEntities(raw, pos);
      pos = end + 1;
    }
    const children: XmlNode[] = [];
    let textBuf = '';
    const flush = (): void => {
      if (textBuf !== '') children.push(textBuf);
      textBuf = '';
    };
    for (;;) {
      if (pos >= n) fail(`element '${name}' is not closed`);
      if (text.startsWith('</', pos)) {
        pos += 2;
        const closing = readName();
        if (closing !== name) fail(`'</${closing}>' closes '<${name}>'`);
        skipWs();
        if (text[pos] !== '>') fail("expected '>'");
        pos++;
        flush();
        return { name, local: localName(name), attrs, children };
      }
      if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos + 9);
        if (end < 0) fail('unterminated CDATA section');
        textBuf += text.slice(pos + 9, end);
        pos = end + 3;
        continue;
      }
      if (skipMisc()) continue;
      if (text[pos] === '<') {
        flush();
        children.push(readElement());
        continue;
      }
      const next = text.indexOf('<', pos);
      const end = next < 0 ? n : next;
      textBuf += decodeEntities(text.slice(pos, end), pos);
      pos = end;
    }
  };

  for (;;) {
    skipWs();
    if (!skipMisc()) break;
  }
  if (pos >= n) fail('no root element');
  const root = readElement();
  for (;;) {
    skipWs();
    if (pos >= n) break;
    if (!skipMisc()) fail('content after the root element');
  }
  return root;
}

/** The element children of an element. */
export function childElements(e: XmlElement): XmlElement[] {
  return e.children.filter((c): c is XmlElement => typeof c !== 'string');
}

/** The concatenated text content of an element (direct text children only). */
export function textContent(e: XmlElement): string {
  return e.children.filter((c): c is string => typeof c === 'string').join('');
}
