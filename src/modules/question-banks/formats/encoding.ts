import { TextDecoder } from 'node:util';

/**
 * Bytes to text: BOMs (UTF-8, UTF-16 LE/BE) first, then the XML declaration's encoding, then UTF-8,
 * falling back to Windows-1252 (what old GIFT/Aiken files exported from Windows tools use).
 */
export interface DecodedText {
  text: string;
  encoding: string;
  /** set when the bytes were not what the file claimed and a fallback was used */
  note?: string;
}

const decoders = new Map<string, TextDecoder>();

function tryDecode(encoding: string, bytes: Uint8Array, fatal: boolean): string | null {
  try {
    const key = `${encoding}|${fatal}`;
    let decoder = decoders.get(key);
    if (!decoder) {
      decoder = new TextDecoder(encoding, { fatal });
      if (decoders.size < 32) decoders.set(key, decoder);
    }
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

export function decodeBytes(content: Buffer | Uint8Array): DecodedText {
  const bytes = content instanceof Uint8Array ? content : new Uint8Array(content);
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: tryDecode('utf-8', bytes.subarray(3), false) ?? '', encoding: 'utf-8' };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: tryDecode('utf-16le', bytes.subarray(2), false) ?? '', encoding: 'utf-16le' };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: tryDecode('utf-16be', bytes.subarray(2), false) ?? '', encoding: 'utf-16be' };
  }
  // An XML declaration naming a single-byte encoding.
  let declared: string | undefined;
  let first = 0;
  while (first < bytes.length && first < 64 && (bytes[first] === 32 || bytes[first] === 9 || bytes[first] === 10 || bytes[first] === 13)) first++;
  if (bytes[first] === 0x3c && bytes[first + 1] === 0x3f) {
    const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 200)).toString('latin1');
    declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  }
  if (declared && declared !== 'utf-8' && declared !== 'utf8') {
    const text = tryDecode(declared, bytes, false);
    if (text !== null) return { text, encoding: declared };
  }
  const utf8 = tryDecode('utf-8', bytes, true);
  if (utf8 !== null) return { text: utf8, encoding: 'utf-8' };
  const cp1252 = tryDecode('windows-1252', bytes, false) ?? '';
  return {
    text: cp1252,
    encoding: 'windows-1252',
    note: 'the file is not valid UTF-8; it was read as Windows-1252 (save it as UTF-8 to be sure accents are right)',
  };
}
