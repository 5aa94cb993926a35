import type { BankFormat } from './parse-result';

export type DetectedFormat = BankFormat | 'qti-package' | 'xml-unknown' | 'unknown';

/** The root element name of an XML document, skipping the prolog (declaration, comments, DOCTYPE). */
export function xmlRootName(text: string): string | null {
  let i = 0;
  const n = Math.min(text.length, 1 << 16);
  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt < 0 || lt >= n) return null;
    if (text.startsWith('<?', lt)) i = text.indexOf('?>', lt) + 2;
    else if (text.startsWith('<!--', lt)) i = text.indexOf('-->', lt) + 3;
    else if (text.startsWith('<!', lt)) i = text.indexOf('>', lt) + 1;
    else {
      const m = /^<([A-Za-z_][\w.:-]*)/.exec(text.slice(lt, lt + 200));
      return m ? m[1] : null;
    }
    if (i <= 1) return null;
  }
  return null;
}

function extensionOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/** Scores a plain-text file as Aiken or GIFT by its distinctive lines. */
function textFormat(text: string): 'aiken' | 'gift' | null {
  let answerLines = 0;
  let optionLines = 0;
  let gift = 0;
  const lines = text.split(/\r\n|\r|\n/, 20000);
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (/^ANSWER\s*:\s*\S/i.test(line)) answerLines++;
    else if (/^[A-Za-z0-9][).]\s?\S/.test(line)) optionLines++;
    if (line.startsWith('//') || line.startsWith('::') || line.startsWith('$CATEGORY')) gift += 2;
    if (/(^|[^\\])[{}]/.test(line)) gift++;
  }
  if (answerLines > 0 && answerLines * 3 + optionLines > gift) return 'aiken';
  if (gift > 0) return 'gift';
  return null;
}

/**
 * The file's format from its content first and its name second: a zip is a QTI content package,
 * XML is told by its root element (and namespace), YAML by its name or its `bank:` key, plain text
 * is GIFT or Aiken by its lines.
 */
export function detectFormat(fileName: string, bytes: Uint8Array, text: () => string): DetectedFormat {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4) return 'qti-package';
  const ext = extensionOf(fileName);
  if (ext === 'zip') return 'qti-package';
  const content = text();
  const trimmed = content.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('<')) {
    const root = xmlRootName(trimmed);
    const local = root?.includes(':') ? root.slice(root.indexOf(':') + 1) : root;
    if (local === 'quiz') return 'moodlexml';
    if (local === 'qti-assessment-item' || local === 'qti-assessment-test') return 'qti3';
    if (local === 'assessmentItem' || local === 'assessmentTest' || local === 'questestinterop') {
      return /imsqtiasi_v3p0/.test(trimmed.slice(0, 4000)) ? 'qti3' : 'qti2';
    }
    return 'xml-unknown';
  }
  if (ext === 'yaml' || ext === 'yml') return 'yaml';
  if (ext === 'gift') return 'gift';
  if (ext === 'aiken') return 'aiken';
  if (ext === 'xml') return 'xml-unknown';
  if (/^(?:#[^\n]*\n|\s)*(?:bank|questions)\s*:/m.test(trimmed.slice(0, 2000)) && /^\s*questions\s*:/m.test(content)) return 'yaml';
  return textFormat(content) ?? (ext === 'txt' ? 'gift' : 'unknown');
}
