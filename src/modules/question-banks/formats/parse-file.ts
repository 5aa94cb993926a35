import { DEFAULT_LANGUAGE } from '../domain/question';
import { parseAiken } from './aiken.parser';
import { detectFormat } from './detect';
import { decodeBytes, type DecodedText } from './encoding';
import { parseGift } from './gift.parser';
import { parseMoodleXml } from './moodle-xml.parser';
import type { ParseOptions, ParseResult } from './parse-result';
import { parseQtiPackage } from './qti-package';
import { parseQtiItem } from './qti.parser';
import { parseYamlBank } from './yaml.parser';
import { parseXml } from './xml';

function failure(message: string, options: ParseOptions, line = 1, column?: number): ParseResult {
  const error = column === undefined ? { line, message } : { line, column, message };
  return { format: 'unknown', language: options.language ?? DEFAULT_LANGUAGE, questions: [], errors: [error], warnings: [] };
}

/**
 * Parses a question file of any supported format — native YAML, GIFT, Moodle XML, Aiken, a QTI
 * 2.x/3.0 item or a QTI content package (.zip) — detecting the format from the content and the
 * file name. Never throws: whatever goes wrong is reported in `errors`.
 */
export function parseQuestionFile(fileName: string, content: Buffer | Uint8Array, options: ParseOptions = {}): ParseResult {
  try {
    const bytes = content instanceof Uint8Array ? content : new Uint8Array(content);
    if (bytes.length === 0) return failure('the file is empty (0 bytes)', options);
    const cache: { decoded?: DecodedText } = {};
    const text = (): string => (cache.decoded ??= decodeBytes(bytes)).text;
    const format = detectFormat(fileName, bytes, text);
    let result: ParseResult;
    switch (format) {
      case 'qti-package':
        return parseQtiPackage(bytes, options);
      case 'yaml':
        result = parseYamlBank(text(), options);
        break;
      case 'gift':
        result = parseGift(text(), options);
        break;
      case 'aiken':
        result = parseAiken(text(), options);
        break;
      case 'moodlexml':
        result = parseMoodleXml(text(), options);
        break;
      case 'qti2':
      case 'qti3':
        result = parseQtiItem(text(), options);
        break;
      case 'xml-unknown': {
        const doc = parseXml(text());
        if (doc.errors.length) {
          const e = doc.errors[0];
          return failure(`not a readable XML file: ${e.message}`, options, e.line, e.column);
        }
        return failure(
          `unrecognised XML: root element <${doc.root?.name ?? '?'}> is neither a Moodle XML <quiz> nor a QTI item (a QTI package must be given as its .zip)`,
          options,
          doc.root?.line ?? 1,
        );
      }
      case 'unknown':
        return failure('unrecognised format: expected YAML (.yaml), GIFT, Aiken, Moodle XML, QTI XML or a QTI package (.zip)', options);
    }
    const note = cache.decoded?.note;
    if (note) result.warnings.unshift({ line: 1, message: note });
    return result;
  } catch (e) {
    return failure(`the file could not be parsed: ${e instanceof Error ? e.message : String(e)}`, options);
  }
}
