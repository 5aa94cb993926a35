/**
 * A small, linear XML parser that keeps line and column of every element and attribute (the
 * formats' error messages need them). It checks well-formedness (matching tags, one root, quoted
 * attributes, no duplicate attributes, declaration only at the start) and stops at the first
 * fatal error. DOCTYPEs are skipped; HTML named entities are decoded leniently.
 */
import { decode as decodeEntities } from 'he';

export interface XmlPosition {
  line: number;
  column: number;
}

class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  at(offset: number): XmlPosition {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }
}

/** The parsed text, shared by its elements; line numbers are computed only when asked for. */
class XmlSource {
  private lines: LineIndex | null = null;
  constructor(readonly text: string) {}
  position(offset: number): XmlPosition {
    this.lines ??= new LineIndex(this.text);
    return this.lines.at(offset);
  }
}

/**
 * An element. Kept small (thousands of items are parsed in a row): positions are offsets, turned
 * into line/column on demand, and attribute positions are found again in the start tag when an
 * error needs one.
 */
export class XmlElement {
  readonly kind = 'element' as const;
  /** name without namespace prefix (readers may rewrite it, e.g. QTI 3 → QTI 2 names) */
  local: string;
  attrs: Record<string, string> = {};
  readonly children: XmlNode[] = [];

  constructor(
    /** qualified name as written (`qti-value`, `xsi:schemaLocation`…) */
    readonly name: string,
    /** offset of the `<` of the start tag */
    readonly offset: number,
    readonly parent: XmlElement | null,
    private readonly source: XmlSource,
  ) {
    const colon = name.indexOf(':');
    this.local = colon < 0 ? name : name.slice(colon + 1);
  }

  get line(): number {
    return this.source.position(this.offset).line;
  }

  get column(): number {
    return this.source.position(this.offset).column;
  }

  /** Position of an attribute's name in the start tag (any of the spellings given), else of the element. */
  attributePosition(...names: string[]): XmlPosition {
    const text = this.source.text;
    const end = text.indexOf('>', this.offset);
    const tag = text.slice(this.offset, end < 0 ? undefined : end);
    for (const name of names) {
      const re = new RegExp(`\\s${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*=`);
      const m = re.exec(tag);
      if (m) return this.source.position(this.offset + m.index + 1);
    }
    return this.source.position(this.offset);
  }
}

export interface XmlText {
  kind: 'text';
  value: string;
  cdata: boolean;
  /** offset of the text in the source (the line is rarely needed, so it is not computed) */
  offset: number;
}

export type XmlNode = XmlElement | XmlText;

export interface XmlError {
  line: number;
  column: number;
  message: string;
}

export interface XmlDocument {
  root: XmlElement | null;
  /** well-formedness errors (parsing stops at the first fatal one) */
  errors: XmlError[];
  /** recoverable oddities (unknown entities…) */
  warnings: XmlError[];
}

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

class FatalXmlError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ParseXmlOptions {
  /**
   * false: check well-formedness only, keeping the root element but not the tree (for a large
   * document read piecewise, such as a 10,000-resource manifest)
   */
  tree?: boolean;
}

export function parseXml(text: string, options: ParseXmlOptions = {}): XmlDocument {
  const tree = options.tree !== false;
  const source = new XmlSource(text);
  const errors: XmlError[] = [];
  const warnings: XmlError[] = [];
  const n = text.length;
  let i = 0;
  let root: XmlElement | null = null;
  const stack: XmlElement[] = [];
  const at = (offset: number): XmlPosition => source.position(offset);

  const decode = (raw: string, offset: number): string => {
    if (raw.indexOf('&') < 0) return raw;
    return raw.replace(/&([^;&\s<]{0,32});?/g, (whole, body: string, rel: number) => {
      if (!whole.endsWith(';')) {
        const p = at(offset + rel);
        warnings.push({ ...p, message: `a bare "&" should be written &amp;` });
        return whole;
      }
      if (body.startsWith('#x') || body.startsWith('#X')) {
        const cp = parseInt(body.slice(2), 16);
        return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
      }
      if (body.startsWith('#')) {
        const cp = parseInt(body.slice(1), 10);
        return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
      }
      if (XML_ENTITIES[body] !== undefined) return XML_ENTITIES[body];
      const html = decodeEntities(whole);
      const p = at(offset + rel);
      if (html !== whole) {
        warnings.push({ ...p, message: `entity ${whole} is not defined in XML (decoded as HTML)` });
        return html;
      }
      warnings.push({ ...p, message: `unknown entity ${whole} kept as text` });
      return whole;
    });
  };

  const addText = (value: string, cdata: boolean, offset: number): void => {
    const parent = stack[stack.length - 1];
    if (!parent) {
      if (value.trim() !== '' && !cdata) throw new FatalXmlError(offset + (value.length - value.trimStart().length), 'text outside the root element');
      if (cdata) throw new FatalXmlError(offset, 'CDATA outside the root element');
      return;
    }
    if (!tree) return;
    const last = parent.children[parent.children.length - 1];
    if (last && last.kind === 'text' && !last.cdata && !cdata) {
      last.value += value;
    } else {
      parent.children.push({ kind: 'text', value, cdata, offset });
    }
  };

  const readName = (from: number): string => {
    let j = from;
    let c = text.charCodeAt(j);
    // start: letter, '_', ':' or any non-ASCII character
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c >= 0xc0)) return '';
    for (j++; j < n; j++) {
      c = text.charCodeAt(j);
      if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 58 || c === 46 || c === 45 || c === 0xb7 || c >= 0xc0)) break;
    }
    return text.slice(from, j);
  };

  const skipSpace = (from: number): number => {
    let j = from;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 32 || c === 9 || c === 10 || c === 13) j++;
      else break;
    }
    return j;
  };

  try {
    if (text.trim() === '') throw new FatalXmlError(0, 'the file is empty: no XML root element');
    while (i < n) {
      const lt = text.indexOf('<', i);
      if (lt < 0) {
        addText(decode(text.slice(i), i), false, i);
        break;
      }
      if (lt > i) addText(decode(text.slice(i, lt), i), false, i);
      i = lt;
      const next = text.charCodeAt(i + 1);
      if (next === 33 /* ! */) {
        if (text.startsWith('<!--', i)) {
          const end = text.indexOf('-->', i + 4);
          if (end < 0) throw new FatalXmlError(i, 'comment is not closed (missing -->)');
          i = end + 3;
        } else if (text.startsWith('<![CDATA[', i)) {
          const end = text.indexOf(']]>', i + 9);
          if (end < 0) throw new FatalXmlError(i, 'CDATA section is not closed (missing ]]>)');
          addText(text.slice(i + 9, end), true, i);
          i = end + 3;
        } else if (text.startsWith('<!DOCTYPE', i)) {
          if (root || stack.length) throw new FatalXmlError(i, 'DOCTYPE after the root element started');
          let j = i + 9;
          let depth = 0;
          let quote = 0;
          for (; j < n; j++) {
            const c = text.charCodeAt(j);
            if (quote) {
              if (c === quote) quote = 0;
            } else if (c === 34 || c === 39) quote = c;
            else if (c === 91) depth++;
            else if (c === 93) depth--;
            else if (c === 62 && depth <= 0) break;
          }
          if (j >= n) throw new FatalXmlError(i, 'DOCTYPE is not closed');
          i = j + 1;
        } else {
          throw new FatalXmlError(i, 'unexpected "<!": expected a comment, CDATA section or DOCTYPE');
        }
        continue;
      }
      if (next === 63 /* ? */) {
        const end = text.indexOf('?>', i + 2);
        if (end < 0) throw new FatalXmlError(i, 'processing instruction is not closed (missing ?>)');
        const target = readName(i + 2);
        if (target.toLowerCase() === 'xml') {
          const before = text.slice(0, i).replace(/^\uFEFF/, '');
          if (before.length > 0) throw new FatalXmlError(i, 'the XML declaration <?xml …?> is only allowed at the very start of the file');
        }
        i = end + 2;
        continue;
      }
      if (next === 47 /* / */) {
        const name = readName(i + 2);
        if (!name) throw new FatalXmlError(i, 'malformed end tag');
        const close = skipSpace(i + 2 + name.length);
        if (text.charCodeAt(close) !== 62) throw new FatalXmlError(close, `end tag </${name}> is not closed with ">"`);
        const open = stack.pop();
        if (!open) throw new FatalXmlError(i, `end tag </${name}> without a matching start tag`);
        if (open.name !== name) {
          throw new FatalXmlError(i, `end tag </${name}> does not match <${open.name}> opened at line ${open.line}`);
        }
        i = close + 1;
        continue;
      }
      // start tag
      const name = readName(i + 1);
      if (!name || !NAME_START.test(name[0])) throw new FatalXmlError(i, 'a "<" in text must be written &lt;');
      if (!stack.length && root) throw new FatalXmlError(i, `a second root element <${name}>: an XML file has exactly one root`);
      const el = new XmlElement(name, i, stack[stack.length - 1] ?? null, source);
      let j = i + 1 + name.length;
      let selfClosing = false;
      for (;;) {
        const afterSpace = skipSpace(j);
        const c = text.charCodeAt(afterSpace);
        if (afterSpace >= n) throw new FatalXmlError(i, `start tag <${name}> is not closed`);
        if (c === 62) {
          j = afterSpace + 1;
          break;
        }
        if (c === 47 && text.charCodeAt(afterSpace + 1) === 62) {
          selfClosing = true;
          j = afterSpace + 2;
          break;
        }
        if (afterSpace === j) throw new FatalXmlError(j, `expected white space, ">" or "/>" in <${name}>`);
        const attr = readName(afterSpace);
        if (!attr) throw new FatalXmlError(afterSpace, `unexpected character "${text[afterSpace]}" in <${name}>`);
        let k = skipSpace(afterSpace + attr.length);
        if (text.charCodeAt(k) !== 61) throw new FatalXmlError(k, `attribute ${attr} of <${name}> has no value (expected ="…")`);
        k = skipSpace(k + 1);
        const quote = text.charCodeAt(k);
        if (quote !== 34 && quote !== 39) throw new FatalXmlError(k, `the value of attribute ${attr} must be quoted`);
        const endQuote = text.indexOf(quote === 34 ? '"' : "'", k + 1);
        if (endQuote < 0) throw new FatalXmlError(k, `the value of attribute ${attr} is not closed`);
        const raw = text.slice(k + 1, endQuote);
        const ltInValue = raw.indexOf('<');
        if (ltInValue >= 0) throw new FatalXmlError(k + 1 + ltInValue, `"<" is not allowed in the value of attribute ${attr} (write &lt;)`);
        if (Object.prototype.hasOwnProperty.call(el.attrs, attr)) throw new FatalXmlError(afterSpace, `attribute ${attr} appears twice on <${name}>`);
        el.attrs[attr] = decode(/[\t\n\r]/.test(raw) ? raw.replace(/[\t\n\r]/g, ' ') : raw, k + 1);
        j = endQuote + 1;
      }
      if (el.parent) {
        if (tree) el.parent.children.push(el);
      }
      else root = el;
      if (!selfClosing) stack.push(el);
      i = j;
    }
    if (stack.length) {
      const open = stack[stack.length - 1];
      throw new FatalXmlError(-1 - open.line, `<${open.name}> opened at line ${open.line} is never closed`);
    }
    if (!root) throw new FatalXmlError(0, 'no root element');
  } catch (e) {
    if (!(e instanceof FatalXmlError)) throw e;
    if (e.offset < -1) {
      errors.push({ line: -1 - e.offset, column: 1, message: e.message });
    } else {
      const p = at(Math.max(0, Math.min(e.offset, n)));
      errors.push({ ...p, message: e.message });
    }
    return { root: null, errors, warnings };
  }
  return { root, errors, warnings };
}

// ---- helpers for readers -------------------------------------------------------------------

export function childElements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.kind === 'element') out.push(c);
  return out;
}

export function firstChild(el: XmlElement | null | undefined, local: string): XmlElement | undefined {
  if (!el) return undefined;
  for (const c of el.children) if (c.kind === 'element' && c.local === local) return c;
  return undefined;
}

export function childrenNamed(el: XmlElement | null | undefined, local: string): XmlElement[] {
  if (!el) return [];
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.kind === 'element' && c.local === local) out.push(c);
  return out;
}

/** Depth-first descendants (document order) matching a predicate. */
export function descendants(el: XmlElement, match: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const stack: XmlElement[] = [el];
  while (stack.length) {
    const cur = stack.pop()!;
    for (let k = cur.children.length - 1; k >= 0; k--) {
      const c = cur.children[k];
      if (c.kind === 'element') stack.push(c);
    }
    if (cur !== el && match(cur)) out.push(cur);
  }
  return out;
}

/** Concatenated text content of an element and its descendants. */
export function textContent(el: XmlElement | null | undefined): string {
  if (!el) return '';
  const parts: string[] = [];
  const walk = (e: XmlElement): void => {
    for (const c of e.children) {
      if (c.kind === 'text') parts.push(c.value);
      else walk(c);
    }
  };
  walk(el);
  return parts.join('');
}

const escapeMap: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for XML element content or attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapeMap[c]);
}

/** Serialises an element's children back to markup (for HTML-bearing content such as item bodies). */
export function innerXml(el: XmlElement): string {
  const parts: string[] = [];
  const walk = (e: XmlElement): void => {
    for (const c of e.children) {
      if (c.kind === 'text') parts.push(c.cdata ? c.value : escapeXml(c.value));
      else {
        parts.push(`<${c.name}`);
        for (const [k, v] of Object.entries(c.attrs)) parts.push(` ${k}="${escapeXml(v)}"`);
        if (c.children.length === 0) parts.push('/>');
        else {
          parts.push('>');
          walk(c);
          parts.push(`</${c.name}>`);
        }
      }
    }
  };
  walk(el);
  return parts.join('');
}
