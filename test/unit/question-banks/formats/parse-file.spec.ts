import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { runBankParse } from '../../../../src/modules/question-banks/formats/bank-parse.command';
import { detectFormat } from '../../../../src/modules/question-banks/formats/detect';
import { parseQuestionFile } from '../../../../src/modules/question-banks/formats/parse-file';
import { fixture } from '../helpers';

const detect = (name: string, text: string) => detectFormat(name, Buffer.from(text), () => text);

describe('format detection', () => {
  it('tells formats apart by content first', () => {
    expect(detect('x.txt', '<?xml version="1.0"?>\n<quiz></quiz>')).toBe('moodlexml');
    expect(detect('x.xml', '<!-- c --><assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"/>')).toBe('qti2');
    expect(detect('x.xml', '<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"/>')).toBe('qti3');
    expect(detect('x.xml', '<qti-assessment-item/>')).toBe('qti3');
    expect(detect('x.xml', '<html/>')).toBe('xml-unknown');
    expect(detect('q.txt', 'Who?\nA) a\nB) b\nANSWER: A\n')).toBe('aiken');
    expect(detect('q.txt', '::t:: Who?{=a ~b}\n')).toBe('gift');
    expect(detect('bank', '# comment\nbank: x\nquestions: []\n')).toBe('yaml');
  });
  it('falls back on the file name', () => {
    expect(detect('bank.yml', 'anything')).toBe('yaml');
    expect(detect('q.gift', 'ANSWER: A')).toBe('gift');
    expect(detectFormat('p.zip', Buffer.from('x'), () => 'x')).toBe('qti-package');
  });
});

describe('parseQuestionFile', () => {
  it('parses each format from bytes', () => {
    expect(parseQuestionFile('all-types.yaml', fixture('all-types.yaml')).questions).toHaveLength(11);
    expect(parseQuestionFile('sample.moodle.xml', fixture('sample.moodle.xml')).format).toBe('moodlexml');
    expect(parseQuestionFile('a.txt', Buffer.from('Q?\nA) x\nB) y\nANSWER: B')).format).toBe('aiken');
  });
  it('never throws: empty, binary and unknown files get an error', () => {
    expect(parseQuestionFile('empty.xml', Buffer.alloc(0))).toMatchObject({ format: 'unknown', errors: [{ line: 1, message: expect.stringContaining('empty') }] });
    expect(parseQuestionFile('x.bin', Buffer.from([0, 1, 2, 3])).errors).toHaveLength(1);
    expect(parseQuestionFile('x.xml', Buffer.from('<html><body/></html>')).errors[0].message).toMatch(/unrecognised XML/);
    expect(parseQuestionFile('x.xml', Buffer.from('<a><b></a>')).errors[0].message).toMatch(/not a readable XML/);
  });
  it('reads a zip as a QTI content package', () => {
    const zip = zipSync({ 'imsmanifest.xml': strToU8('<manifest><resources/></manifest>') });
    expect(parseQuestionFile('p.zip', Buffer.from(zip)).errors[0].message).toMatch(/no resources/);
  });
  it('reads Windows-1252 text with a warning', () => {
    const r = parseQuestionFile('q.gift', Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x3f, 0x7b, 0x54, 0x7d]));
    expect(r.questions[0].content.stem['zh-CN']).toBe('Café?');
    expect(r.warnings[0].message).toMatch(/Windows-1252/);
  });
  it('gives plain-text formats the requested language', () => {
    expect(parseQuestionFile('q.gift', Buffer.from('Q?{T}'), { language: 'en' }).questions[0].content.stem).toEqual({ en: 'Q?' });
  });
});

describe('bank:parse command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bank-parse-'));
  const good = join(dir, 'good.gift');
  const bad = join(dir, 'bad.gift');
  writeFileSync(good, '::T::Pick {=a ~b}\n\nBlank {=x}.\n');
  writeFileSync(bad, 'Broken {\n');

  async function run(argv: string[]): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    const code = await runBankParse(argv, (l) => lines.push(l));
    return { code, lines };
  }

  it('prints one JSON line per file in order, texts flattened to the file language, exit 0 without errors', async () => {
    const { code, lines } = await run(['--json', good]);
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      file: good,
      format: 'gift',
      questions: [
        { line: 1, type: 'single_choice', title: 'T', stem: 'Pick', options: [{ text: 'a', fraction: 1 }, { text: 'b', fraction: 0 }], tags: [], category: null },
        { line: 3, type: 'short_answer', title: null, stem: 'Blank _____.', gaps: [{ answers: [{ text: 'x', fraction: 1 }], caseSensitive: false }], tags: [], category: null },
      ],
      errors: [],
      warnings: [],
    });
  });
  it('exits 1 when a file has errors, and still prints a line for a file that cannot be read', async () => {
    const missing = join(dir, 'missing.xml');
    const { code, lines } = await run(['--json', bad, missing, good]);
    expect(code).toBe(1);
    expect(lines.map((l) => (JSON.parse(l) as { file: string }).file)).toEqual([bad, missing, good]);
    expect(JSON.parse(lines[0])).toMatchObject({ errors: [{ line: 1, column: 8 }] });
    expect(JSON.parse(lines[1])).toMatchObject({ format: 'unknown', questions: [], errors: [{ line: 1, message: 'cannot read the file: no such file' }] });
    expect((await run(['--json', dir])).lines[0]).toContain('is a directory');
  });
  it('prints a readable summary without --json and a usage error without files', async () => {
    const { code, lines } = await run([bad]);
    expect(code).toBe(1);
    expect(lines[0]).toBe(`${bad}: gift, 0 question(s), 1 error(s), 0 warning(s)`);
    expect(lines[1]).toMatch(/bad\.gift:1:8 error: the answer block/);
    expect((await run(['--json'])).code).toBe(2);
    expect((await run(['--bogus', good])).code).toBe(2);
  });
});
