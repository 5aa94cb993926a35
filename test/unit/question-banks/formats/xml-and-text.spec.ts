import { decodeBytes } from '../../../../src/modules/question-banks/formats/encoding';
import { htmlToText } from '../../../../src/modules/question-banks/formats/text';
import { firstChild, parseXml, textContent } from '../../../../src/modules/question-banks/formats/xml';

describe('XML parser', () => {
  it('keeps element and attribute positions', () => {
    const doc = parseXml('<?xml version="1.0"?>\n<a>\n  <b  x="1"\n     y="2"/>\n</a>');
    const b = firstChild(doc.root, 'b')!;
    expect([b.line, b.column]).toEqual([3, 3]);
    expect(b.attributePosition('y')).toEqual({ line: 4, column: 6 });
    expect(b.attributePosition('zz')).toEqual({ line: 3, column: 3 });
  });
  it('decodes entities, character references and CDATA', () => {
    const doc = parseXml('<a t="&lt;&#65;&#x42;">x &amp; y<![CDATA[<b>&amp;</b>]]>&nbsp;</a>');
    expect(doc.root!.attrs.t).toBe('<AB');
    expect(textContent(doc.root)).toBe('x & y<b>&amp;</b>\u00a0');
    expect(doc.warnings[0].message).toMatch(/&nbsp; is not defined in XML/);
  });
  it('skips a DOCTYPE with a public id', () => {
    expect(parseXml('<!DOCTYPE a PUBLIC "-//W3C//DTD X//EN" "x.dtd">\n<a/>').root?.name).toBe('a');
  });
  it.each([
    ['<a><b></a>', 1, /does not match <b>/],
    ['<a>\n<b>\n</a>', 3, /does not match <b> opened at line 2/],
    ['<a>', 1, /never closed/],
    ['<?xml version="1.0"?>\n<?xml version="1.0"?>\n<a/>', 2, /only allowed at the very start/],
    ['<a x="1" x="2"/>', 1, /appears twice/],
    ['<a x=1/>', 1, /must be quoted/],
    ['<a/><b/>', 1, /second root/],
    ['', 1, /empty/],
    ['just text', 1, /text outside the root/],
  ])('reports %j as an error at line %i', (xml, line, message) => {
    const doc = parseXml(xml);
    expect(doc.root).toBeNull();
    expect(doc.errors[0].line).toBe(line);
    expect(doc.errors[0].message).toMatch(message);
  });
});

describe('HTML to text', () => {
  it('strips tags, decodes entities, keeps paragraphs and line breaks', () => {
    expect(htmlToText('<p>One &amp; <b>two</b></p><p>three<br/>four</p>')).toBe('One & two\n\nthree\nfour');
  });
  it('folds source white space in HTML but keeps newlines in Moodle auto-format', () => {
    expect(htmlToText('a\n   b')).toBe('a b');
    expect(htmlToText('a\n   b', { keepNewlines: true })).toBe('a\nb');
  });
  it('uses the alt text of images and drops scripts and comments', () => {
    expect(htmlToText('<p>See <img src="x.png" alt="the sign"/><!-- c --><script>x<y</script></p>')).toBe('See the sign');
  });
  it('only strips real tags when asked (Moodle auto-format)', () => {
    expect(htmlToText('if a < b and c>d: <i>x</i>', { onlyKnownTags: true })).toBe('if a < b and c>d: x');
    expect(htmlToText('use <notatag> here', { onlyKnownTags: true })).toBe('use <notatag> here');
  });
  it('turns non-breaking spaces into spaces and NFC-normalises', () => {
    expect(htmlToText('Cafe\u0301&nbsp;au&#160;lait')).toBe('Café au lait');
  });
});

describe('decoding bytes', () => {
  it('honours BOMs and falls back to Windows-1252 for invalid UTF-8', () => {
    expect(decodeBytes(Buffer.from([0xef, 0xbb, 0xbf, 0x61])).text).toBe('a');
    expect(decodeBytes(Buffer.from([0xff, 0xfe, 0x61, 0x00])).text).toBe('a');
    const latin = decodeBytes(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    expect(latin.text).toBe('café');
    expect(latin.note).toMatch(/not valid UTF-8/);
  });
  it('uses the encoding an XML declaration names', () => {
    const bytes = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>'), Buffer.from([0xe9]), Buffer.from('</a>')]);
    expect(decodeBytes(bytes).text).toContain('<a>é</a>');
  });
});
