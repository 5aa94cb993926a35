import { decode as decodeEntities } from 'he';
import { BLANK } from '../domain/question';

/** HTML elements: with `onlyKnownTags`, a `<` that does not start one of these stays text. */
const HTML_TAGS = new Set(
  (
    'a abbr acronym address area article aside audio b bdi bdo big blockquote body br button canvas caption center cite code col colgroup ' +
    'data dd del details dfn dialog div dl dt em embed fieldset figcaption figure font footer form h1 h2 h3 h4 h5 h6 head header hr html i iframe img ' +
    'input ins kbd label legend li link main map mark math meta meter nav noscript object ol optgroup option output p param picture pre ' +
    'progress q rp rt ruby s samp script section select small source span strike strong style sub summary sup svg table tbody td template ' +
    'textarea tfoot th thead time title tr track tt u ul var video wbr'
  ).split(' '),
);

/** Elements that end a paragraph (blank line) or a line. */
const PARAGRAPH_TAGS = new Set(
  'p h1 h2 h3 h4 h5 h6 blockquote pre table ul ol dl figure address article aside section header footer fieldset details hr'.split(' '),
);
const LINE_TAGS = new Set('div li tr dt dd caption figcaption summary main nav form center'.split(' '));
const SKIP_CONTENT_TAGS = new Set(['script', 'style', 'head', 'title', 'template']);

export interface HtmlToTextOptions {
  /** keep the source's newlines as line breaks (Moodle auto-format, plain text); HTML folds them */
  keepNewlines?: boolean;
  /** only strip real HTML tags: `a < b` and `<notatag>` stay text (Moodle auto-format) */
  onlyKnownTags?: boolean;
}

const TAG_NAME = /^[A-Za-z][A-Za-z0-9:_-]*/;
const ALT_ATTR = /\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;

/** Finds the `>` that closes a tag opened at `from`, skipping quoted attribute values. */
function tagEnd(html: string, from: number): number {
  let quote = 0;
  for (let i = from; i < html.length; i++) {
    const c = html.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) {
      // a quote only opens a value right after '='
      let j = i - 1;
      while (j > from && (html.charCodeAt(j) === 32 || html.charCodeAt(j) === 9 || html.charCodeAt(j) === 10)) j--;
      if (html.charCodeAt(j) === 61) quote = c;
    } else if (c === 62) {
      return i;
    }
  }
  return -1;
}

/**
 * HTML (or Moodle auto-format text) to plain text: tags stripped, entities decoded, images replaced by
 * their alt text, paragraphs separated by a blank line and line breaks kept as newlines, other white
 * space folded, lines trimmed.
 */
export function htmlToText(html: string, options: HtmlToTextOptions = {}): string {
  const out: string[] = [];
  const pushText = (raw: string): void => {
    if (!raw) return;
    let text = raw.indexOf('&') >= 0 ? decodeEntities(raw) : raw;
    text = options.keepNewlines ? text.replace(/\r\n?/g, '\n') : text.replace(/\s+/g, ' ');
    out.push(text);
  };
  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      pushText(html.slice(i));
      break;
    }
    if (lt > i) pushText(html.slice(i, lt));
    i = lt;
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (html.startsWith('<![CDATA[', i)) {
      const end = html.indexOf(']]>', i + 9);
      out.push(html.slice(i + 9, end < 0 ? n : end));
      i = end < 0 ? n : end + 3;
      continue;
    }
    const closing = html.charCodeAt(i + 1) === 47; /* / */
    const nameMatch = TAG_NAME.exec(html.slice(i + (closing ? 2 : 1), i + (closing ? 2 : 1) + 40));
    const isDirective = html.charCodeAt(i + 1) === 33 || html.charCodeAt(i + 1) === 63; /* ! ? */
    if (!nameMatch && !isDirective) {
      pushText('<');
      i++;
      continue;
    }
    const name = nameMatch ? nameMatch[0].toLowerCase() : '';
    const localName = name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
    if (!isDirective && options.onlyKnownTags && !HTML_TAGS.has(localName)) {
      pushText('<');
      i++;
      continue;
    }
    const end = tagEnd(html, i + 1);
    if (end < 0) {
      pushText(html.slice(i));
      break;
    }
    const tag = html.slice(i, end + 1);
    i = end + 1;
    if (isDirective) continue;
    if (!closing && SKIP_CONTENT_TAGS.has(localName) && !tag.endsWith('/>')) {
      const re = new RegExp(`</${name.replace(/[^a-z0-9:_-]/g, '')}`, 'ig');
      re.lastIndex = i;
      const close = re.exec(html)?.index ?? -1;
      const end = close < 0 ? -1 : tagEnd(html, close + 1);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (localName === 'br') out.push('\n');
    else if (PARAGRAPH_TAGS.has(localName)) out.push('\n\n');
    else if (LINE_TAGS.has(localName)) out.push('\n');
    else if (localName === 'td' || localName === 'th') out.push(' ');
    else if (localName === 'img' && !closing) {
      const alt = ALT_ATTR.exec(tag);
      const text = alt ? (alt[1] ?? alt[2] ?? alt[3] ?? '') : '';
      if (text.trim()) out.push(` ${decodeEntities(text)} `);
    }
  }
  return tidyText(out.join(''));
}

/** Plain text tidied: newlines unified, non-breaking spaces made spaces, lines trimmed, at most one blank line in a row, NFC. */
export function tidyText(text: string): string {
  if (text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
    return text.replace(/[ \t\f\v\u00a0\u2007\u202f]+/g, ' ').trim().normalize('NFC');
  }
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00a0\u2007\u202f]/g, ' ')
    .split('\n')
    .map((l) => l.replace(/[ \t\f\v]+/g, ' ').trim());
  const kept: string[] = [];
  let blank = 0;
  for (const line of lines) {
    if (line === '') {
      blank++;
      if (blank > 1) continue;
    } else {
      blank = 0;
    }
    kept.push(line);
  }
  return kept.join('\n').trim().normalize('NFC');
}

/** Plain text from a plain-text format: newlines unified, outer white space trimmed, NFC. */
export function plainText(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim().normalize('NFC');
}

/** A run of six or more underscores is a blank too: written as the canonical five. */
export function normalizeBlanks(stem: string): string {
  return stem.replace(/_{6,}/g, BLANK);
}

/** Collapses white space to single spaces and trims (for identifiers, answers and other one-line values). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
