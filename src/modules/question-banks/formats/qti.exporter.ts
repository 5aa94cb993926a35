/**
 * QTI 3.0 content package export: `imsmanifest.xml` (IMS CP, one `imsqti_item_xmlv3p0` resource per
 * question, with LOM metadata for the question's id, tags, difficulty, category and status) and
 * one item file per question under `items/`. One language per package.
 *
 * Kept: title, stem (paragraphs and line breaks; each `_____` becomes a text entry), options with
 * fractions (mapping) and feedback, scoring (map_response vs match_correct), true/false (choices
 * `true`/`false`) and its feedback, short-answer answers with fractions and case sensitivity,
 * numeric answers with tolerance and fraction (custom response processing), matching pairs and
 * distractors, ordering, essay rubric (scorer rubric block), explanation (modal feedback).
 * Not kept (warnings): answer feedback of short-answer/numeric, runs of spaces inside a text.
 */
import { strToU8, zipSync, type Zippable } from 'fflate';
import { DEFAULT_LANGUAGE, pickText, type LocalizedText, type NumericGap, type QuestionContent, type TextGap } from '../domain/question';
import { normalizeContent } from '../domain/canonical';
import { ExportWarnings, type ExportBankInput, type ExportOptions, type ExportResult } from './export-types';
import { escapeXml } from './xml';
import { DIFFICULTY_WORDS, LOM_CATALOG } from './qti-schema';

const NS = 'http://www.imsglobal.org/xsd/imsqtiasi_v3p0';
const SCHEMA = `${NS} https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd`;
const RP = 'https://purl.imsglobal.org/spec/qti/v3p0/rptemplates';
const TRUE_WORD: Record<string, [string, string]> = {
  zh: ['正确', '错误'],
  en: ['True', 'False'],
  nl: ['Waar', 'Niet waar'],
  de: ['Wahr', 'Falsch'],
  fr: ['Vrai', 'Faux'],
  es: ['Verdadero', 'Falso'],
};

/** An NCName-safe identifier (QTI identifiers cannot start with a digit or hold most punctuation). */
export function qtiIdentifier(id: string): string {
  let s = id.replace(/[^A-Za-z0-9._-]/g, '_');
  if (!/^[A-Za-z_]/.test(s)) s = `Q${s}`;
  return s;
}

const x = escapeXml;

/** Plain text → XHTML paragraphs (blank line = paragraph, newline = <br/>), blanks → `gap(n)`. */
function paragraphs(text: string, gap?: (n: number) => string): string {
  let n = 0;
  return text
    .split(/\n{2,}/)
    .map((para) => {
      const lines = para.split('\n').map((line) => {
        if (!gap) return x(line);
        return line
          .split(/_{5,}/)
          .map((part, k) => (k === 0 ? x(part) : gap(n++) + x(part)))
          .join('');
      });
      return `<p>${lines.join('<br/>')}</p>`;
    })
    .join('\n    ');
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1e12) / 1e12);
}

export function exportQti3(bank: ExportBankInput, options: ExportOptions = {}): ExportResult {
  const language = options.language ?? bank.language ?? DEFAULT_LANGUAGE;
  const warnings = new ExportWarnings();
  const files: Zippable = {};
  const resources: string[] = [];
  const used = new Set<string>();

  for (const q of bank.questions) {
    const c = normalizeContent(q.content);
    if (c.languages.some((l) => l !== language)) warnings.add(`a QTI package holds one language: only the ${language} texts were exported`);
    let identifier = qtiIdentifier(q.id);
    for (let k = 2; used.has(identifier); k++) identifier = `${qtiIdentifier(q.id)}_${k}`;
    used.add(identifier);
    const path = `items/${identifier}.xml`;
    files[path] = strToU8(item(identifier, c, q.id));
    resources.push(resource(identifier, path, q.id, q.status, c));
  }

  const bankTitle = bank.title ? pickText(bank.title, language) : bank.bank;
  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1" xmlns:imsmd="http://ltsc.ieee.org/xsd/LOM" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://ltsc.ieee.org/xsd/LOM https://purl.imsglobal.org/spec/md/v1p3/schema/xsd/imsmd_loose_v1p3p2.xsd http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1 https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd" identifier="${x(qtiIdentifier(bank.bank))}">
  <metadata>
    <schema>QTI Package</schema>
    <schemaversion>3.0.0</schemaversion>
    <imsmd:lom>
      <imsmd:general>
        <imsmd:identifier><imsmd:catalog>${LOM_CATALOG}</imsmd:catalog><imsmd:entry>${x(bank.bank)}</imsmd:entry></imsmd:identifier>
        <imsmd:title><imsmd:string language="${x(language)}">${x(bankTitle)}</imsmd:string></imsmd:title>${
          bank.description
            ? `\n        <imsmd:description><imsmd:string language="${x(language)}">${x(pickText(bank.description, language))}</imsmd:string></imsmd:description>`
            : ''
        }
        <imsmd:language>${x(language)}</imsmd:language>
      </imsmd:general>
    </imsmd:lom>
  </metadata>
  <organizations/>
  <resources>
${resources.join('\n')}
  </resources>
</manifest>
`;
  files['imsmanifest.xml'] = strToU8(manifest);
  const zipped = zipSync(files, { level: 6, mtime: new Date('2020-01-01T00:00:00Z') });
  return { fileName: `${bank.bank}.qti3.zip`, content: Buffer.from(zipped), warnings: warnings.list };

  function resource(identifier: string, path: string, id: string, status: string | undefined, c: QuestionContent): string {
    const lom: string[] = [];
    lom.push(`<imsmd:identifier><imsmd:catalog>${LOM_CATALOG}</imsmd:catalog><imsmd:entry>${x(id)}</imsmd:entry></imsmd:identifier>`);
    for (const tag of c.tags) lom.push(`<imsmd:keyword><imsmd:string>${x(tag)}</imsmd:string></imsmd:keyword>`);
    const general = `<imsmd:general>${lom.join('')}</imsmd:general>`;
    const parts = [general];
    if (status === 'retired') parts.push('<imsmd:lifeCycle><imsmd:status><imsmd:source>LOMv1.0</imsmd:source><imsmd:value>unavailable</imsmd:value></imsmd:status></imsmd:lifeCycle>');
    if (c.difficulty !== undefined) {
      parts.push(`<imsmd:educational><imsmd:difficulty><imsmd:source>LOMv1.0</imsmd:source><imsmd:value>${DIFFICULTY_WORDS[c.difficulty - 1] ?? 'medium'}</imsmd:value></imsmd:difficulty></imsmd:educational>`);
    }
    if (c.category) {
      parts.push(
        `<imsmd:classification><imsmd:purpose><imsmd:source>LOMv1.0</imsmd:source><imsmd:value>discipline</imsmd:value></imsmd:purpose><imsmd:taxonPath><imsmd:source><imsmd:string>${LOM_CATALOG}</imsmd:string></imsmd:source><imsmd:taxon><imsmd:entry><imsmd:string>${x(c.category)}</imsmd:string></imsmd:entry></imsmd:taxon></imsmd:taxonPath></imsmd:classification>`,
      );
    }
    return `    <resource identifier="${x(identifier)}" type="imsqti_item_xmlv3p0" href="${x(path)}">
      <metadata><imsmd:lom>${parts.join('')}</imsmd:lom></metadata>
      <file href="${x(path)}"/>
    </resource>`;
  }

  function item(identifier: string, c: QuestionContent, id: string): string {
    const t = (v: LocalizedText | null | undefined): string => pickText(v, language);
    const decls: string[] = [];
    const body: string[] = [];
    const outcomes = ['<qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>', '<qti-outcome-declaration identifier="MAXSCORE" cardinality="single" base-type="float"><qti-default-value><qti-value>1</qti-value></qti-default-value></qti-outcome-declaration>'];
    let processing = '';
    let needsFeedback = false;
    const stem = t(c.stem);
    const feedbackInline = (fb: LocalizedText | undefined, choiceId: string): string => {
      if (!fb || !t(fb)) return '';
      needsFeedback = true;
      return `<qti-feedback-inline outcome-identifier="FEEDBACK" identifier="${choiceId}" show-hide="show">${x(t(fb))}</qti-feedback-inline>`;
    };
    const template = (name: string): string => `<qti-response-processing template="${RP}/${name}.xml"/>`;

    switch (c.type) {
      case 'single_choice':
      case 'multiple_choice':
      case 'true_false': {
        const multiple = c.type === 'multiple_choice';
        let choices: Array<{ id: string; text: string; fraction: number; feedback?: LocalizedText }>;
        if (c.type === 'true_false') {
          const words = TRUE_WORD[language.split('-')[0]] ?? TRUE_WORD.en;
          choices = [
            { id: 'true', text: words[0], fraction: c.answer ? 1 : 0, feedback: c.trueFeedback },
            { id: 'false', text: words[1], fraction: c.answer ? 0 : 1, feedback: c.falseFeedback },
          ];
        } else {
          choices = (c.options ?? []).map((o) => ({ id: o.id, text: t(o.text), fraction: o.fraction, feedback: o.feedback }));
        }
        const correct = choices.filter((o) => (multiple ? o.fraction > 0 : o.fraction >= 1));
        const plain = choices.every((o) => o.fraction === 0 || (multiple ? o.fraction > 0 && Math.abs(o.fraction - 1 / correct.length) < 1e-6 : o.fraction === 1));
        const partial = (multiple && c.scoring === 'partial') || (!multiple && !plain);
        const mapping = plain && !partial
          ? ''
          : `\n    <qti-mapping lower-bound="0" upper-bound="1" default-value="0">${choices
              .filter((o) => o.fraction !== 0)
              .map((o) => `<qti-map-entry map-key="${o.id}" mapped-value="${num(o.fraction)}"/>`)
              .join('')}</qti-mapping>`;
        decls.push(
          `<qti-response-declaration identifier="RESPONSE" cardinality="${multiple ? 'multiple' : 'single'}" base-type="identifier">
    <qti-correct-response>${correct.map((o) => `<qti-value>${o.id}</qti-value>`).join('')}</qti-correct-response>${mapping}
  </qti-response-declaration>`,
        );
        body.push(paragraphs(stem));
        body.push(
          `<qti-choice-interaction response-identifier="RESPONSE" shuffle="false" max-choices="${multiple ? 0 : 1}">
      ${choices.map((o) => `<qti-simple-choice identifier="${o.id}">${x(o.text)}${feedbackInline(o.feedback, o.id)}</qti-simple-choice>`).join('\n      ')}
    </qti-choice-interaction>`,
        );
        processing = template(partial ? 'map_response' : 'match_correct');
        break;
      }
      case 'ordering': {
        const opts = c.options ?? [];
        decls.push(`<qti-response-declaration identifier="RESPONSE" cardinality="ordered" base-type="identifier">
    <qti-correct-response>${opts.map((o) => `<qti-value>${o.id}</qti-value>`).join('')}</qti-correct-response>
  </qti-response-declaration>`);
        body.push(paragraphs(stem));
        body.push(`<qti-order-interaction response-identifier="RESPONSE" shuffle="true">
      ${opts.map((o) => `<qti-simple-choice identifier="${o.id}">${x(t(o.text))}</qti-simple-choice>`).join('\n      ')}
    </qti-order-interaction>`);
        processing = template('match_correct');
        break;
      }
      case 'matching': {
        const pairs = c.pairs ?? [];
        const targets: Array<{ id: string; text: string; uses: number }> = [];
        const targetOf = new Map<string, string>();
        for (const p of pairs) {
          const text = t(p.match);
          let target = targets.find((tg) => tg.text === text);
          if (!target) {
            target = { id: `M${targets.length + 1}`, text, uses: 0 };
            targets.push(target);
          } else if (!p.prompt) {
            warnings.add(`a distractor equal to a correct match cannot be written in QTI: dropped from question ${id}`);
          }
          if (p.prompt) {
            target.uses++;
            targetOf.set(p.id, target.id);
          }
        }
        const prompted = pairs.filter((p) => p.prompt);
        decls.push(`<qti-response-declaration identifier="RESPONSE" cardinality="multiple" base-type="directedPair">
    <qti-correct-response>${prompted.map((p) => `<qti-value>${p.id} ${targetOf.get(p.id)}</qti-value>`).join('')}</qti-correct-response>
  </qti-response-declaration>`);
        body.push(paragraphs(stem));
        body.push(`<qti-match-interaction response-identifier="RESPONSE" shuffle="true" max-associations="${prompted.length}">
      <qti-simple-match-set>
        ${prompted.map((p) => `<qti-simple-associable-choice identifier="${p.id}" match-max="1">${x(t(p.prompt))}</qti-simple-associable-choice>`).join('\n        ')}
      </qti-simple-match-set>
      <qti-simple-match-set>
        ${targets.map((tg) => `<qti-simple-associable-choice identifier="${tg.id}" match-max="${Math.max(1, tg.uses)}">${x(tg.text)}</qti-simple-associable-choice>`).join('\n        ')}
      </qti-simple-match-set>
    </qti-match-interaction>`);
        processing = template('match_correct');
        break;
      }
      case 'short_answer':
      case 'numeric': {
        const gaps = (c.gaps ?? []) as Array<TextGap | NumericGap>;
        const ids = gaps.map((_, k) => (gaps.length === 1 ? 'RESPONSE' : `RESPONSE_${k + 1}`));
        const conditions: string[] = [];
        gaps.forEach((g, k) => {
          if (g.answers.some((a) => a.feedback)) warnings.add('QTI text entries carry no per-answer feedback: short-answer and numeric answer feedback was not exported');
          const best = [...g.answers].sort((a, b) => b.fraction - a.fraction)[0];
          if (c.type === 'short_answer') {
            const tg = g as TextGap;
            const bestText = best && 'text' in best ? t(best.text) : '';
            decls.push(`<qti-response-declaration identifier="${ids[k]}" cardinality="single" base-type="string">
    <qti-correct-response><qti-value>${x(bestText)}</qti-value></qti-correct-response>
    <qti-mapping lower-bound="0" upper-bound="1" default-value="0">${tg.answers
      .map((a) => `<qti-map-entry map-key="${x(t(a.text))}" mapped-value="${num(a.fraction)}" case-sensitive="${tg.caseSensitive}"/>`)
      .join('')}</qti-mapping>
  </qti-response-declaration>`);
          } else {
            const ng = g as NumericGap;
            const bestValue = best && 'value' in best ? best.value : 0;
            decls.push(`<qti-response-declaration identifier="${ids[k]}" cardinality="single" base-type="float">
    <qti-correct-response><qti-value>${num(bestValue)}</qti-value></qti-correct-response>
  </qti-response-declaration>`);
            outcomes.push(`<qti-outcome-declaration identifier="SCORE_${ids[k]}" cardinality="single" base-type="float"><qti-default-value><qti-value>0</qti-value></qti-default-value></qti-outcome-declaration>`);
            const branches = ng.answers.map(
              (a, i) => `<qti-response-${i === 0 ? 'if' : 'else-if'}>
        <qti-equal tolerance-mode="absolute" tolerance="${num(a.tolerance)} ${num(a.tolerance)}">
          <qti-variable identifier="${ids[k]}"/>
          <qti-base-value base-type="float">${num(a.value)}</qti-base-value>
        </qti-equal>
        <qti-set-outcome-value identifier="SCORE_${ids[k]}"><qti-base-value base-type="float">${num(a.fraction)}</qti-base-value></qti-set-outcome-value>
      </qti-response-${i === 0 ? 'if' : 'else-if'}>`,
            );
            conditions.push(`<qti-response-condition>
      ${branches.join('\n      ')}
    </qti-response-condition>`);
          }
        });
        const entry = (n: number): string => `<qti-text-entry-interaction response-identifier="${ids[n] ?? ids[0]}"/>`;
        const blanks = stem.match(/_{5,}/g)?.length ?? 0;
        if (blanks === gaps.length) body.push(paragraphs(stem, entry));
        else {
          body.push(paragraphs(stem));
          body.push(`<p>${entry(0)}</p>`);
        }
        if (c.type === 'short_answer') {
          processing =
            gaps.length === 1
              ? template('map_response')
              : `<qti-response-processing>
    <qti-set-outcome-value identifier="SCORE">
      <qti-divide><qti-sum>${ids.map((r) => `<qti-map-response identifier="${r}"/>`).join('')}</qti-sum><qti-base-value base-type="float">${gaps.length}</qti-base-value></qti-divide>
    </qti-set-outcome-value>
  </qti-response-processing>`;
        } else {
          processing = `<qti-response-processing>
    ${conditions.join('\n    ')}
    <qti-set-outcome-value identifier="SCORE">
      <qti-divide><qti-sum>${ids.map((r) => `<qti-variable identifier="SCORE_${r}"/>`).join('')}</qti-sum><qti-base-value base-type="float">${gaps.length}</qti-base-value></qti-divide>
    </qti-set-outcome-value>
  </qti-response-processing>`;
        }
        break;
      }
      case 'essay':
        decls.push('<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string"/>');
        body.push(paragraphs(stem));
        body.push('<qti-extended-text-interaction response-identifier="RESPONSE"/>');
        if (c.rubric) body.push(`<qti-rubric-block use="scoring" view="scorer"><qti-content-body>${paragraphs(t(c.rubric))}</qti-content-body></qti-rubric-block>`);
        break;
      case 'description':
        body.push(paragraphs(stem));
        break;
    }
    if (needsFeedback || c.explanation) outcomes.push('<qti-outcome-declaration identifier="FEEDBACK" cardinality="single" base-type="identifier"/>');
    const modal = c.explanation
      ? `\n  <qti-modal-feedback outcome-identifier="FEEDBACK" identifier="EXPLANATION" show-hide="hide"><qti-content-body>${paragraphs(t(c.explanation))}</qti-content-body></qti-modal-feedback>`
      : '';
    const title = c.title ? t(c.title) : identifier;
    if (/ {2,}|\t/.test(stem)) warnings.add('QTI item bodies are HTML: runs of spaces inside texts are not kept');
    return `<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="${NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${SCHEMA}" identifier="${x(identifier)}" title="${x(title)}" adaptive="false" time-dependent="false" xml:lang="${x(language)}">
  ${decls.join('\n  ')}${decls.length ? '\n  ' : ''}${outcomes.join('\n  ')}
  <qti-item-body>
    ${body.join('\n    ')}
  </qti-item-body>${processing ? `\n  ${processing}` : ''}${modal}
</qti-assessment-item>
`;
  }
}

