import { zipSync, strToU8 } from 'fflate';
import { parseQtiItem } from '../../../../src/modules/question-banks/formats/qti.parser';
import { parseQtiPackage } from '../../../../src/modules/question-banks/formats/qti-package';
import type { NumericGap, TextGap } from '../../../../src/modules/question-banks/domain/question';

const QTI21 = 'http://www.imsglobal.org/xsd/imsqti_v2p1';
const QTI3 = 'http://www.imsglobal.org/xsd/imsqtiasi_v3p0';

function item21(body: string, decls: string, rp = '', attrs = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="${QTI21}" identifier="it1" title="Item one" adaptive="false" timeDependent="false"${attrs}>
${decls}
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody>${body}</itemBody>
${rp}
</assessmentItem>`;
}

const MATCH_CORRECT = '<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>';
const MAP_RESPONSE = '<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"/>';

const only = (xml: string) => {
  const r = parseQtiItem(xml, { language: 'en' });
  expect(r.errors).toEqual([]);
  expect(r.questions).toHaveLength(1);
  return r.questions[0].content;
};
const lang = (t: Record<string, string> | null | undefined): string => (t ? Object.values(t)[0] : '');

describe('QTI 2.1 choice', () => {
  const choices = '<simpleChoice identifier="A">Alpha</simpleChoice><simpleChoice identifier="B">Beta</simpleChoice><simpleChoice identifier="C">Gamma</simpleChoice>';
  it('reads a single choice: body text and prompt make the stem', () => {
    const q = only(
      item21(
        `<p>Look at this.</p><choiceInteraction responseIdentifier="R" maxChoices="1"><prompt>Which?</prompt>${choices}</choiceInteraction>`,
        '<responseDeclaration identifier="R" cardinality="single" baseType="identifier"><correctResponse><value>B</value></correctResponse></responseDeclaration>',
        MATCH_CORRECT,
      ),
    );
    expect(q.type).toBe('single_choice');
    expect(q.title?.en).toBe('Item one');
    expect(q.stem.en).toBe('Look at this.\n\nWhich?');
    expect(q.options!.map((o) => [o.text.en, o.fraction])).toEqual([['Alpha', 0], ['Beta', 1], ['Gamma', 0]]);
  });
  it('reads a multiple choice scored by its mapping (map_response) as partial, unmapped keys getting the default', () => {
    const q = only(
      item21(
        `<choiceInteraction responseIdentifier="R" maxChoices="0"><prompt>Pick</prompt>${choices}</choiceInteraction>`,
        `<responseDeclaration identifier="R" cardinality="multiple" baseType="identifier"><correctResponse><value>A</value><value>B</value></correctResponse>
         <mapping lowerBound="0" upperBound="2" defaultValue="-2"><mapEntry mapKey="A" mappedValue="1"/><mapEntry mapKey="B" mappedValue="1"/></mapping></responseDeclaration>`,
        MAP_RESPONSE,
      ),
    );
    expect(q.type).toBe('multiple_choice');
    expect(q.scoring).toBe('partial');
    expect(q.options!.map((o) => o.fraction)).toEqual([0.5, 0.5, -1]);
  });
  it('reads a multiple choice with match_correct as all or nothing', () => {
    const q = only(
      item21(
        `<choiceInteraction responseIdentifier="R" maxChoices="0"><prompt>Pick</prompt>${choices}</choiceInteraction>`,
        '<responseDeclaration identifier="R" cardinality="multiple" baseType="identifier"><correctResponse><value> A </value><value>C</value></correctResponse></responseDeclaration>',
        MATCH_CORRECT,
      ),
    );
    expect(q.scoring).toBe('all_or_nothing');
    expect(q.options!.filter((o) => o.fraction > 0).map((o) => o.text.en)).toEqual(['Alpha', 'Gamma']);
  });
  it('makes a true/false question of choices identified true and false', () => {
    const q = only(
      item21(
        '<choiceInteraction responseIdentifier="R" maxChoices="1"><prompt>Sky is green.</prompt><simpleChoice identifier="true">Yes</simpleChoice><simpleChoice identifier="false">No<feedbackInline outcomeIdentifier="FEEDBACK" identifier="false" showHide="show">Right</feedbackInline></simpleChoice></choiceInteraction>',
        '<responseDeclaration identifier="R" cardinality="single" baseType="identifier"><correctResponse><value>false</value></correctResponse></responseDeclaration>',
        MATCH_CORRECT,
      ),
    );
    expect([q.type, q.answer, q.falseFeedback?.en]).toEqual(['true_false', false, 'Right']);
  });
  it('errors when no correct response is declared', () => {
    const r = parseQtiItem(item21(`<choiceInteraction responseIdentifier="R" maxChoices="1">${choices}</choiceInteraction>`, '<responseDeclaration identifier="R" cardinality="single" baseType="identifier"/>'));
    expect(r.questions).toEqual([]);
    expect(r.errors[0].message).toMatch(/no correct response/);
  });
});

describe('QTI text entry', () => {
  it('reads string gaps with mapping fractions and case sensitivity, blanks in place', () => {
    const q = only(
      item21(
        '<p>Now is the winter of our discontent made glorious summer by this sun of <textEntryInteraction responseIdentifier="R"/>;</p>',
        `<responseDeclaration identifier="R" cardinality="single" baseType="string"><correctResponse><value>York</value></correctResponse>
         <mapping defaultValue="0"><mapEntry mapKey="York" mappedValue="1"/><mapEntry mapKey="york" mappedValue="0.5"/></mapping></responseDeclaration>`,
        MAP_RESPONSE,
      ),
    );
    expect(q.type).toBe('short_answer');
    expect(q.stem.en).toMatch(/sun of _____;$/);
    const gap = (q.gaps as TextGap[])[0];
    expect([gap.caseSensitive, gap.answers.map((a) => [a.text.en, a.fraction])]).toEqual([true, [['York', 1], ['york', 0.5]]]);
  });
  it('reads float gaps with the tolerance of equal and equalRounded', () => {
    const q = only(
      item21(
        '<p>c = <textEntryInteraction responseIdentifier="R1"/> km/s, pi = <textEntryInteraction responseIdentifier="R2"/></p>',
        `<responseDeclaration identifier="R1" cardinality="single" baseType="float"><correctResponse><value>300000</value></correctResponse></responseDeclaration>
         <responseDeclaration identifier="R2" cardinality="single" baseType="float"><correctResponse><value>3.14</value></correctResponse></responseDeclaration>`,
        `<responseProcessing>
           <responseCondition><responseIf><equal toleranceMode="relative" tolerance="1"><variable identifier="R1"/><correct identifier="R1"/></equal>
             <setOutcomeValue identifier="SCORE"><baseValue baseType="float">1</baseValue></setOutcomeValue></responseIf></responseCondition>
           <responseCondition><responseIf><equalRounded roundingMode="decimalPlaces" figures="2"><variable identifier="R2"/><correct identifier="R2"/></equalRounded>
             <setOutcomeValue identifier="SCORE"><baseValue baseType="float">1</baseValue></setOutcomeValue></responseIf></responseCondition>
         </responseProcessing>`,
      ),
    );
    expect(q.type).toBe('numeric');
    expect(q.stem.en).toBe('c = _____ km/s, pi = _____');
    expect((q.gaps as NumericGap[]).map((g) => g.answers)).toEqual([[{ value: 300000, tolerance: 3000, fraction: 1 }], [{ value: 3.14, tolerance: 0.005, fraction: 1 }]]);
  });
  it('reads a lone text entry in the last paragraph as the answer box, not a blank', () => {
    const q = only(
      item21(
        '<p>Capital of France?</p><p><textEntryInteraction responseIdentifier="R"/></p>',
        '<responseDeclaration identifier="R" cardinality="single" baseType="string"><correctResponse><value>Paris</value></correctResponse></responseDeclaration>',
        MATCH_CORRECT,
      ),
    );
    expect(q.stem.en).toBe('Capital of France?');
  });
});

describe('QTI other interactions', () => {
  it('reads an extended text as an essay with the scorer rubric', () => {
    const q = only(item21('<p>Write a postcard.</p><extendedTextInteraction responseIdentifier="R"/><rubricBlock view="scorer"><p>25–35 words</p></rubricBlock>', '<responseDeclaration identifier="R" cardinality="single" baseType="string"/>'));
    expect([q.type, q.stem.en, q.rubric?.en]).toEqual(['essay', 'Write a postcard.', '25–35 words']);
  });
  it('reads a match interaction: directed pairs, unused targets as distractors', () => {
    const q = only(
      item21(
        `<matchInteraction responseIdentifier="R" maxAssociations="2"><prompt>Match</prompt>
          <simpleMatchSet><simpleAssociableChoice identifier="C" matchMax="1">Capulet</simpleAssociableChoice><simpleAssociableChoice identifier="P" matchMax="1">Prospero</simpleAssociableChoice></simpleMatchSet>
          <simpleMatchSet><simpleAssociableChoice identifier="R" matchMax="2">Romeo and Juliet</simpleAssociableChoice><simpleAssociableChoice identifier="T" matchMax="2">The
             Tempest</simpleAssociableChoice><simpleAssociableChoice identifier="H" matchMax="2">Hamlet</simpleAssociableChoice></simpleMatchSet></matchInteraction>`,
        '<responseDeclaration identifier="R" cardinality="multiple" baseType="directedPair"><correctResponse><value>C R</value><value>P T</value></correctResponse></responseDeclaration>',
        MATCH_CORRECT,
      ),
    );
    expect(q.pairs!.map((p) => [lang(p.prompt), lang(p.match)])).toEqual([['Capulet', 'Romeo and Juliet'], ['Prospero', 'The Tempest'], ['', 'Hamlet']]);
  });
  it('reads an order interaction in the correct order', () => {
    const q = only(
      item21(
        '<orderInteraction responseIdentifier="R"><prompt>Order</prompt><simpleChoice identifier="A">Barrichello</simpleChoice><simpleChoice identifier="B">Button</simpleChoice><simpleChoice identifier="C">Schumacher</simpleChoice></orderInteraction>',
        '<responseDeclaration identifier="R" cardinality="ordered" baseType="identifier"><correctResponse><value>C</value><value>A</value><value>B</value></correctResponse></responseDeclaration>',
        MATCH_CORRECT,
      ),
    );
    expect(q.options!.map((o) => o.text.en)).toEqual(['Schumacher', 'Barrichello', 'Button']);
  });
  it('reads an item without interaction as a description', () => {
    expect(only(item21('<p>Read the case below.</p>', '')).type).toBe('description');
  });
  it('skips inline choice, gap match and composite items with a warning', () => {
    const inline = parseQtiItem(item21('<p>A <inlineChoiceInteraction responseIdentifier="R"/></p>', '<responseDeclaration identifier="R" cardinality="single" baseType="identifier"/>'));
    expect(inline.questions).toEqual([]);
    expect(inline.errors).toEqual([]);
    expect(inline.warnings[0].message).toMatch(/inline choice interaction is not supported/);
    const composite = parseQtiItem(
      item21(
        '<choiceInteraction responseIdentifier="A" maxChoices="1"><simpleChoice identifier="x">x</simpleChoice></choiceInteraction><extendedTextInteraction responseIdentifier="B"/>',
        '<responseDeclaration identifier="A" cardinality="single" baseType="identifier"/><responseDeclaration identifier="B" cardinality="single" baseType="string"/>',
      ),
    );
    expect(composite.warnings[0].message).toMatch(/several interactions/);
  });
});

describe('QTI 3.0', () => {
  it('reads kebab-case names, xml:lang and trims padded values', () => {
    const xml = `<qti-assessment-item xmlns="${QTI3}" identifier="ITEM7" title="Romeinse cijfers" xml:lang="nl-NL" time-dependent="false">
  <qti-response-declaration identifier="RESPONSE" cardinality="multiple" base-type="identifier">
    <qti-correct-response><qti-value>
      C1
    </qti-value><qti-value>C3</qti-value></qti-correct-response>
  </qti-response-declaration>
  <qti-item-body>
    <qti-choice-interaction response-identifier="RESPONSE" max-choices="0">
      <qti-prompt> Welke letters? </qti-prompt>
      <qti-simple-choice identifier="C1"> L </qti-simple-choice>
      <qti-simple-choice identifier="C2">A</qti-simple-choice>
      <qti-simple-choice identifier="C3">M</qti-simple-choice>
    </qti-choice-interaction>
  </qti-item-body>
  <qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/>
</qti-assessment-item>`;
    const r = parseQtiItem(xml);
    expect(r.format).toBe('qti3');
    expect(r.language).toBe('nl-NL');
    const q = r.questions[0];
    expect(q.id).toBe('ITEM7');
    expect(q.content.stem).toEqual({ 'nl-NL': 'Welke letters?' });
    expect(q.content.options!.filter((o) => o.fraction > 0).map((o) => o.text['nl-NL'])).toEqual(['L', 'M']);
  });
  it('reads a QTI 3 namespace with QTI 2 names leniently, with a warning', () => {
    const r = parseQtiItem(
      `<assessmentItem xmlns="${QTI3}" identifier="h" title="h"><responseDeclaration identifier="R" cardinality="single" baseType="identifier"><correctResponse><value>a</value></correctResponse></responseDeclaration>
       <itemBody><qti-choice-interaction response-identifier="R" max-choices="1"><qti-simple-choice identifier="a">About 200</qti-simple-choice><qti-simple-choice identifier="b">About 100</qti-simple-choice></qti-choice-interaction></itemBody></assessmentItem>`,
    );
    expect(r.format).toBe('qti3');
    expect(r.questions[0].content.type).toBe('single_choice');
    expect(r.warnings[0].message).toMatch(/QTI 2 element names/);
  });
});

describe('QTI errors', () => {
  it('reports an unknown attribute on a QTI element at its line and column, and leaves the item out', () => {
    const xml = item21(
      '<choiceInteraction responseIdentifier="R" maxChoices="1"><simpleChoice identifier="A">a</simpleChoice><simpleChoice identifier="B">b</simpleChoice></choiceInteraction>',
      '<responseDeclaration identifier="R" cardinality="single" baseType="identifier" foo="bar"><correctResponse><value>A</value></correctResponse></responseDeclaration>',
    );
    const r = parseQtiItem(xml);
    expect(r.questions).toEqual([]);
    expect(r.errors).toEqual([{ line: 3, column: 80, message: 'schema: attribute "foo" is not allowed on <responseDeclaration>' }]);
  });
  it('reports invalid enumerations and missing required attributes', () => {
    const r = parseQtiItem(
      item21(
        '<choiceInteraction maxChoices="one"><simpleChoice identifier="A">a</simpleChoice></choiceInteraction>',
        '<responseDeclaration identifier="R" cardinality="several" baseType="Float"/>',
      ),
    );
    expect(r.errors.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('cardinality="several"'),
        expect.stringContaining('baseType="Float"'),
        expect.stringContaining('maxChoices="one"'),
        expect.stringContaining('needs the attribute responseIdentifier'),
      ]),
    );
  });
  it('reports an empty file, malformed XML and a non-item root cleanly', () => {
    expect(parseQtiItem('').errors[0].message).toMatch(/empty/);
    expect(parseQtiItem('<?xml version="1.0"?>\n<?xml version="1.0"?>\n<assessmentItem/>').errors[0].line).toBe(2);
    expect(parseQtiItem(`<assessmentTest xmlns="${QTI21}" identifier="t"/>`).errors[0].message).toMatch(/assessment test/);
  });
});

describe('QTI content package', () => {
  const item = (id: string, text: string) =>
    strToU8(
      item21(
        `<choiceInteraction responseIdentifier="R" maxChoices="1"><prompt>${text}</prompt><simpleChoice identifier="A">a</simpleChoice><simpleChoice identifier="B">b</simpleChoice></choiceInteraction>`,
        '<responseDeclaration identifier="R" cardinality="single" baseType="identifier"><correctResponse><value>A</value></correctResponse></responseDeclaration>',
        MATCH_CORRECT,
      ).replace('identifier="it1"', `identifier="${id}"`),
    );
  const manifest = (resources: string) =>
    strToU8(`<?xml version="1.0"?><manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="M"><organizations/><resources>${resources}</resources></manifest>`);

  it('reads the items the manifest lists, in its order, resolving xml:base and relative paths', () => {
    const zip = zipSync({
      'imsmanifest.xml': manifest(
        '<resource identifier="t" type="imsqti_test_xmlv2p1" href="test.xml"/>' +
          '<resource identifier="two" type="imsqti_item_xmlv2p1" href="./items/two.xml"/>' +
          '<resource identifier="one" type="imsqti_item_xmlv2p1" xml:base="items/"><file href="one%20a.xml"/></resource>' +
          '<resource identifier="img" type="webcontent" href="img/x.png"/>',
      ),
      'items/one a.xml': item('one', 'First?'),
      'items/two.xml': item('two', 'Second?'),
    });
    const r = parseQtiPackage(zip);
    expect(r.errors).toEqual([]);
    expect(r.format).toBe('qti2');
    expect(r.questions.map((q) => [q.id, q.entry, lang(q.content.stem)])).toEqual([
      ['two', 'items/two.xml', 'Second?'],
      ['one', 'items/one a.xml', 'First?'],
    ]);
  });
  it('reports a missing item file against the manifest line and an item error against the item', () => {
    const zip = zipSync({
      'imsmanifest.xml': manifest('\n<resource identifier="gone" type="imsqti_item_xmlv2p1" href="gone.xml"/>\n<resource identifier="bad" type="imsqti_item_xmlv2p1" href="bad.xml"/>'),
      'bad.xml': strToU8('<assessmentItem>\n<itemBody>\n</assessmentItem>'),
    });
    const r = parseQtiPackage(zip);
    expect(r.errors).toEqual([
      { entry: 'imsmanifest.xml', line: 2, message: expect.stringContaining('missing from the zip') },
      { entry: 'bad.xml', line: 3, column: 1, message: expect.stringContaining('does not match <itemBody>') },
    ]);
  });
  it('errors on a zip without manifest and on bytes that are not a zip', () => {
    expect(parseQtiPackage(zipSync({ 'a.xml': strToU8('<a/>') })).errors[0].message).toMatch(/imsmanifest.xml is missing/);
    expect(parseQtiPackage(strToU8('PK\u0003\u0004 not really')).errors[0].message).toMatch(/cannot be read/);
  });
});
