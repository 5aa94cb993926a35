import { unzipSync, strFromU8 } from 'fflate';
import { contentHash, normalizeContent } from '../../../../src/modules/question-banks/domain/canonical';
import { pickText, type QuestionContent } from '../../../../src/modules/question-banks/domain/question';
import { exportBank } from '../../../../src/modules/question-banks/formats/export-bank';
import type { ExportBankInput } from '../../../../src/modules/question-banks/formats/export-types';
import { parseQuestionFile } from '../../../../src/modules/question-banks/formats/parse-file';
import { parseYamlBank } from '../../../../src/modules/question-banks/formats/yaml.parser';
import { parseGift } from '../../../../src/modules/question-banks/formats/gift.parser';
import { escapeGift } from '../../../../src/modules/question-banks/formats/gift.exporter';
import { fixture } from '../helpers';

const source = parseYamlBank(fixture('all-types.yaml').toString('utf8'));
const bank: ExportBankInput = {
  bank: source.bank!.bank,
  title: source.bank!.title,
  description: source.bank!.description,
  language: source.language,
  questions: source.questions.map((q) => ({ id: q.id!, status: q.status, content: q.content })),
};

/** The content as a one-language format holds it (a text missing in that language falls back to another). */
function inLanguage(content: QuestionContent, locale: string): QuestionContent {
  const keep = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(keep);
    if (value && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      const values = Object.values(obj);
      if (values.length && values.every((v) => typeof v === 'string')) return { [locale]: pickText(obj as Record<string, string>, locale) };
      return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, keep(v)]));
    }
    return value;
  };
  return normalizeContent(keep(content) as QuestionContent);
}

describe('native YAML export', () => {
  const out = exportBank(bank, 'yaml');
  const back = parseQuestionFile(out.fileName, out.content);

  it('writes a bank file with the schema comment, without warnings', () => {
    expect(out.fileName).toBe('test-all-types.yaml');
    expect(out.content.toString('utf8')).toMatch(/^# yaml-language-server: \$schema=\.\/schema\/bank\.schema\.json\nbank: test-all-types\n/);
    expect(out.warnings).toEqual([]);
  });
  it('round-trips every question unchanged (same content hash), with ids, status and bank metadata', () => {
    expect(back.errors).toEqual([]);
    expect(back.bank).toEqual(source.bank);
    expect(back.questions.map((q) => [q.id, q.status, contentHash(q.content)])).toEqual(source.questions.map((q) => [q.id, q.status, contentHash(q.content)]));
    expect(back.questions.map((q) => q.content)).toEqual(source.questions.map((q) => q.content));
  });
  it('writes plain strings for a one-language bank', () => {
    const text = exportBank({ ...bank, language: 'en', questions: bank.questions.map((q) => ({ ...q, content: inLanguage(q.content, 'en') })) }, 'yaml').content.toString('utf8');
    expect(text).toContain('language: en');
    expect(text).toContain('stem: What does the "I" in AIPL stand for?');
  });
});

describe('QTI 3.0 package export', () => {
  const out = exportBank(bank, 'qti3', { language: 'en' });
  const back = parseQuestionFile(out.fileName, out.content);

  it('writes a zip with imsmanifest.xml and one item file per question', () => {
    const files = unzipSync(new Uint8Array(out.content));
    expect(Object.keys(files).sort()).toEqual(['imsmanifest.xml', ...bank.questions.map((q) => `items/${q.id}.xml`)].sort());
    expect(strFromU8(files['items/sc-1.xml'])).toContain('<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"');
    expect(out.warnings).toEqual(['a QTI package holds one language: only the en texts were exported']);
  });
  it('re-imports as QTI 3 without errors or warnings', () => {
    expect(back.format).toBe('qti3');
    expect(back.errors).toEqual([]);
    expect(back.warnings).toEqual([]);
    expect(back.bank?.bank).toBe('test-all-types');
  });
  it('keeps every field of every type (one language), ids, tags, difficulty, category and status', () => {
    expect(back.questions.map((q) => [q.id, q.status ?? 'active'])).toEqual(source.questions.map((q) => [q.id, q.status]));
    for (const [k, q] of back.questions.entries()) {
      expect({ id: q.id, content: q.content }).toEqual({ id: q.id, content: inLanguage(source.questions[k].content, 'en') });
    }
  });
});

describe('GIFT export', () => {
  const out = exportBank(bank, 'gift', { language: 'zh-CN' });
  const back = parseGift(out.content.toString('utf8'), { language: 'zh-CN' });
  const exported = source.questions.filter((q) => q.content.type !== 'ordering' && (q.content.gaps?.length ?? 0) < 2);

  it('skips what GIFT cannot hold and says so', () => {
    expect(out.fileName).toBe('test-all-types.gift');
    expect(out.warnings).toEqual(
      expect.arrayContaining([
        'ordering questions cannot be written in GIFT: skipped order-1',
        'GIFT holds one blank per question: skipped sa-2gaps (2 gaps)',
        'GIFT has no difficulty: difficulties were not exported',
        'GIFT has no grading rubric: essay rubrics were not exported',
        'GIFT multiple response is scored by summing weights (partial): all-or-nothing scoring was not kept',
      ]),
    );
  });
  it('keeps everything else: titles, weights, feedback, blanks, tolerances, distractors, tags, ids, category', () => {
    expect(back.errors).toEqual([]);
    expect(back.questions.map((q) => q.id)).toEqual(exported.map((q) => q.id));
    for (const [k, q] of back.questions.entries()) {
      const want = inLanguage(exported[k].content, 'zh-CN');
      delete want.difficulty;
      delete want.rubric;
      if (want.type === 'multiple_choice') want.scoring = 'partial';
      expect({ id: q.id, content: q.content }).toEqual({ id: q.id, content: normalizeContent(want) });
    }
  });
  it('escapes control characters and keeps texts that look like HTML as [plain]', () => {
    expect(escapeGift('a~b=c#d{e}f:g\\h\ni')).toBe('a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni');
    const tricky: ExportBankInput = {
      bank: 'x',
      language: 'en',
      questions: [
        {
          id: 'q',
          content: normalizeContent({
            type: 'single_choice',
            title: { en: 'a::b' },
            stem: { en: 'Is <b> a tag? Use a {brace}, #, ~ and = sign.\nTwo lines.' },
            options: [
              { id: '', text: { en: '[html] literally' }, fraction: 1 },
              { id: '', text: { en: 'x  y' }, fraction: 0 },
            ],
            tags: ['t'],
            languages: [],
          }),
        },
      ],
    };
    const text = exportBank(tricky, 'gift').content.toString('utf8');
    const again = parseGift(text, { language: 'en' });
    expect(again.errors).toEqual([]);
    expect(again.questions[0].content).toEqual(tricky.questions[0].content);
  });
});

describe('import → export → import from other formats', () => {
  it('keeps a GIFT question through the native format', () => {
    const gift = parseGift('$CATEGORY: a/b\n\n// [id:g1]\n// [tag:x]\n::T::Pick {=a#yes ~%-50%b#no ####General}', { language: 'en' });
    const yaml = exportBank({ bank: 'g', language: 'en', questions: gift.questions.map((q) => ({ id: q.id!, content: q.content })) }, 'yaml');
    expect(yaml.warnings).toEqual(['question g1 has no difficulty (the curriculum banks give every question one, 1–5)']);
    const back = parseQuestionFile(yaml.fileName, yaml.content);
    expect(back.errors).toEqual([]);
    expect(back.questions[0].content).toEqual(gift.questions[0].content);
  });
});
