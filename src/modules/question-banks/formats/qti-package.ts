/**
 * IMS content packages (.zip) holding QTI 2.x / 3.0 items: `imsmanifest.xml` lists the items as
 * resources (`type="imsqti_item_xmlv2p1|v2p2|v3p0"`, `href`); each is read in manifest order.
 * Issues inside an item carry the item's path as `entry` and lines within that file.
 */
import { ZipReader } from './zip';
import { DEFAULT_LANGUAGE } from '../domain/question';
import { decodeBytes } from './encoding';
import { IssueSink, type ParseOptions, type ParseResult } from './parse-result';
import { readQtiItem, type QtiVersion } from './qti.parser';
import { DIFFICULTY_WORDS, LOM_CATALOG } from './qti-schema';
import { detach } from '../domain/canonical';
import type { ParsedQuestion } from './parse-result';
import { childrenNamed, descendants, firstChild, parseXml, textContent, type XmlElement } from './xml';

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6);
}

/** Resolves `href` against a base directory inside the zip (`a/b/` + `../c.xml` → `a/c.xml`). */
export function resolveEntry(base: string, href: string): string {
  let path = href;
  try {
    path = decodeURIComponent(href);
  } catch {
    /* keep the raw href */
  }
  path = path.replace(/\\/g, '/');
  const parts = (path.startsWith('/') ? path.slice(1) : base + path).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out.join('/');
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash + 1);
}

function withSlash(base: string | undefined): string {
  if (!base) return '';
  return base.endsWith('/') ? base : `${base}/`;
}

export function parseQtiPackage(bytes: Uint8Array, options: ParseOptions = {}): ParseResult {
  const sink = new IssueSink();
  const result: ParseResult = {
    format: 'qti3',
    language: options.language ?? DEFAULT_LANGUAGE,
    questions: [],
    errors: sink.errors,
    warnings: sink.warnings,
  };
  let zip: ZipReader;
  try {
    zip = new ZipReader(bytes, (name) => /\.xml$/i.test(name));
  } catch (e) {
    sink.error(1, `the zip archive cannot be read: ${e instanceof Error ? e.message : String(e)}`);
    return result;
  }
  const read = (name: string): Uint8Array | null => {
    try {
      return zip.read(name);
    } catch (e) {
      sink.error(1, `the zip archive cannot be read: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  };
  const names = zip.names();
  const manifestPath = names.filter((n) => /(^|\/)imsmanifest\.xml$/i.test(n)).sort((a, b) => a.split('/').length - b.split('/').length)[0];
  if (!manifestPath) {
    sink.error(1, 'not an IMS content package: imsmanifest.xml is missing from the zip');
    return result;
  }
  const manifestSink = new IssueSink(manifestPath);
  const manifestText = decodeBytes(read(manifestPath) ?? new Uint8Array()).text;
  // Well-formedness of the whole manifest, without keeping its tree: a 10,000-resource manifest is
  // read resource by resource below, so no large document stays in memory while items are parsed.
  const manifest = parseXml(manifestText, { tree: false });
  for (const e of manifest.errors) manifestSink.error(e.line, `XML: ${e.message}`, e.column);
  const versions = new Set<QtiVersion>();
  const languages = new Set<string>();
  const merge = (s: IssueSink): void => {
    for (const e of s.errors) sink.errors.push(e);
    for (const w of s.warnings) sink.warnings.push(w);
  };
  if (!manifest.root) {
    merge(manifestSink);
    return result;
  }
  if (manifest.root.local !== 'manifest') {
    manifestSink.error(manifest.root.line, `imsmanifest.xml has <${manifest.root.name}> as root, expected <manifest>`);
    merge(manifestSink);
    return result;
  }
  const pieces = manifestPieces(manifestText);
  const rootBase = dirOf(manifestPath) + withSlash(manifest.root.attrs['xml:base']);
  const resourcesBase = rootBase + withSlash(pieces.resourcesBase);
  const items: Array<{ path: string; line: number; lom: LomInfo | null }> = [];
  for (const piece of pieces.resources) {
    const r = parseXml(piece.text).root;
    if (!r) continue;
    const type = (r.attrs.type ?? '').toLowerCase();
    if (!type.startsWith('imsqti_item_xmlv')) continue;
    const base = resourcesBase + withSlash(r.attrs['xml:base']);
    const href = r.attrs.href ?? firstChild(r, 'file')?.attrs.href;
    if (!href) {
      manifestSink.error(piece.line, `resource "${r.attrs.identifier ?? ''}" has no href to its item file`);
      continue;
    }
    items.push({ path: resolveEntry(base, href), line: piece.line, lom: readLom(descendants(r, (e) => e.local === 'lom')[0]) });
  }
  if (!items.length) {
    // No item resources: fall back to the XML files that are QTI items.
    const candidates = names.filter((n) => n !== manifestPath).sort();
    for (const n of candidates) {
      const head = decodeBytes((read(n) ?? new Uint8Array()).subarray(0, 2048)).text;
      if (/<(?:[\w-]+:)?(?:assessmentItem|qti-assessment-item)[\s>]/.test(head)) items.push({ path: n, line: manifest.root.line, lom: null });
    }
    if (items.length) manifestSink.warn(manifest.root.line, `the manifest lists no QTI item resources; read the ${items.length} item file(s) found in the zip`);
    else if (pieces.resources.length === 0) manifestSink.error(manifest.root.line, 'the manifest lists no resources');
    else manifestSink.error(manifest.root.line, 'the manifest lists no QTI item resources (type imsqti_item_xmlv2p1, v2p2 or v3p0)');
  }
  merge(manifestSink);

  for (const { path, line, lom } of items) {
    const data = zip.entries.has(path) ? read(path) : null;
    if (!data) {
      if (zip.entries.has(path)) continue;
      const s = new IssueSink(manifestPath);
      s.error(line, `item file "${path}" listed in the manifest is missing from the zip`);
      merge(s);
      continue;
    }
    const itemSink = new IssueSink(path);
    const decoded = decodeBytes(data);
    if (decoded.note) itemSink.warn(1, decoded.note);
    const item = readQtiItem(decoded.text, itemSink, { ...options, entry: path });
    versions.add(item.version);
    if (item.language) languages.add(item.language);
    if (item.question) {
      if (lom) applyLom(item.question, lom);
      result.questions.push(item.question);
    }
    merge(itemSink);
  }
  result.format = versions.has('qti3') ? 'qti3' : versions.size ? 'qti2' : /qtiv3p0|v3p0/.test(JSON.stringify(manifest.root.attrs)) ? 'qti3' : 'qti2';
  const bankLom = pieces.metadata ? descendants(pieces.metadata, (e) => e.local === 'lom')[0] : undefined;
  const bankId = lomIdentifier(bankLom);
  if (bankId) {
    const general = firstChild(bankLom, 'general');
    const title = textContent(firstChild(general, 'title')).trim();
    const description = textContent(firstChild(general, 'description')).trim();
    const lang = textContent(firstChild(general, 'language')).trim() || result.language;
    result.bank = { bank: detach(bankId), title: { [lang]: detach(title || bankId) } };
    if (description) result.bank.description = { [lang]: detach(description) };
  }
  if (languages.size === 1) result.language = [...languages][0];
  return result;
}

/** The LOM identifier entry in the planner-academy catalog (set by our exporter). */
function lomIdentifier(lom: XmlElement | undefined): string | null {
  for (const id of childrenNamed(firstChild(lom, 'general'), 'identifier')) {
    if (textContent(firstChild(id, 'catalog')).trim() === LOM_CATALOG) return textContent(firstChild(id, 'entry')).trim() || null;
  }
  return null;
}

interface LomInfo {
  id: string | null;
  tags: string[];
  difficulty: number | null;
  category: string | null;
  retired: boolean;
}

/** Resource metadata (IEEE LOM): id, keywords → tags, difficulty, classification → category, status. */
function readLom(lom: XmlElement | undefined): LomInfo | null {
  if (!lom) return null;
  const general = firstChild(lom, 'general');
  const id = lomIdentifier(lom);
  const tags = childrenNamed(general, 'keyword')
    .map((k) => textContent(k).trim())
    .filter(Boolean);
  const difficulty = textContent(firstChild(firstChild(firstChild(lom, 'educational'), 'difficulty'), 'value')).trim().toLowerCase();
  const level = DIFFICULTY_WORDS.indexOf(difficulty);
  const taxon = descendants(lom, (e) => e.local === 'taxon')[0];
  const category = taxon ? textContent(firstChild(taxon, 'entry')).trim() : '';
  const status = textContent(firstChild(firstChild(firstChild(lom, 'lifeCycle'), 'status'), 'value')).trim().toLowerCase();
  return {
    id: id ? detach(id) : null,
    tags: [...new Set(tags)].map(detach),
    difficulty: level >= 0 ? level + 1 : null,
    category: category ? detach(category) : null,
    retired: status === 'unavailable',
  };
}

function applyLom(question: ParsedQuestion, lom: LomInfo): void {
  if (lom.id) question.id = lom.id;
  if (lom.tags.length) question.content.tags = lom.tags;
  if (lom.difficulty !== null) question.content.difficulty = lom.difficulty;
  if (lom.category) question.content.category = lom.category;
  if (lom.retired) question.status = 'retired';
}

interface ManifestPieces {
  resourcesBase: string | undefined;
  /** the manifest's own <metadata> */
  metadata: XmlElement | null;
  resources: Array<{ text: string; line: number }>;
}

/** Finds the end of a start tag (the `>`), skipping quoted attribute values. */
function startTagEnd(text: string, from: number): number {
  let quote = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 62) return i;
  }
  return -1;
}

/** The manifest cut into the pieces the reader needs, each parsed on its own. */
function manifestPieces(text: string): ManifestPieces {
  const out: ManifestPieces = { resourcesBase: undefined, metadata: null, resources: [] };
  let line = 1;
  let counted = 0;
  const lineAt = (offset: number): number => {
    for (let i = text.indexOf('\n', counted); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
    counted = Math.max(counted, offset);
    return line;
  };
  const element = (re: RegExp, from: number): { start: number; end: number; qname: string } | null => {
    re.lastIndex = from;
    const m = re.exec(text);
    if (!m) return null;
    const tagEnd = startTagEnd(text, m.index + 1);
    if (tagEnd < 0) return null;
    if (text.charCodeAt(tagEnd - 1) === 47) return { start: m.index, end: tagEnd + 1, qname: m[1] };
    const close = text.indexOf(`</${m[1]}`, tagEnd);
    if (close < 0) return null;
    const closeEnd = text.indexOf('>', close);
    return { start: m.index, end: closeEnd < 0 ? text.length : closeEnd + 1, qname: m[1] };
  };
  const resourcesTag = /<((?:[\w.-]+:)?resources)[\s>/]/g.exec(text);
  const resourcesAt = resourcesTag ? resourcesTag.index : text.length;
  if (resourcesTag) {
    const end = startTagEnd(text, resourcesTag.index + 1);
    const tag = text.slice(resourcesTag.index, end + 1).replace(/\/?>$/, '/>');
    out.resourcesBase = parseXml(tag).root?.attrs['xml:base'];
  }
  const meta = element(/<((?:[\w.-]+:)?metadata)[\s>/]/g, 0);
  if (meta && meta.start < resourcesAt) out.metadata = parseXml(text.slice(meta.start, meta.end)).root;
  const re = /<((?:[\w.-]+:)?resource)[\s>/]/g;
  for (let from = resourcesAt; ; ) {
    const r = element(re, from);
    if (!r) break;
    out.resources.push({ text: text.slice(r.start, r.end), line: lineAt(r.start) });
    from = r.end;
  }
  return out;
}
