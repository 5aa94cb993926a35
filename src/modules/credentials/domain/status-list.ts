/**
 * The Bitstring Status List `encodedList`: one bit per issued credential (1 = revoked), index 0
 * the left-most (most significant) bit of the first byte, GZIP-compressed, base64url without
 * padding, with the multibase prefix 'u'. Pure: revoked indexes in, string out, and back.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

/** The spec's minimum list size (16 KiB of bits), so a list does not reveal how few were issued. */
export const MIN_STATUS_LIST_LENGTH = 131_072;
/** Far more certificates than the platform will ever issue; bounds the memory a list can take. */
export const MAX_STATUS_LIST_LENGTH = 16 * MIN_STATUS_LIST_LENGTH * 8;

function checkLength(length: number): void {
  if (!Number.isInteger(length) || length < MIN_STATUS_LIST_LENGTH || length > MAX_STATUS_LIST_LENGTH || length % 8 !== 0) {
    throw new RangeError(
      `status list length ${length} is not valid: give a multiple of 8 from ${MIN_STATUS_LIST_LENGTH} to ${MAX_STATUS_LIST_LENGTH}.`,
    );
  }
}

/** Bits set at `revokedIndexes` in a list of `length` bits (at least the spec's minimum). */
export function encodeStatusList(revokedIndexes: readonly number[], length: number = MIN_STATUS_LIST_LENGTH): string {
  checkLength(length);
  const bits = new Uint8Array(length / 8);
  for (const index of revokedIndexes) {
    if (!Number.isInteger(index) || index < 0 || index >= length) {
      throw new RangeError(`status list index ${index} is not valid: give a whole number from 0 to ${length - 1}.`);
    }
    bits[index >> 3] |= 0x80 >> (index & 7);
  }
  return 'u' + gzipSync(bits).toString('base64url');
}

export interface DecodedStatusList {
  length: number;
  isSet(index: number): boolean;
  /** Indexes whose bit is 1, in ascending order. */
  setIndexes(): number[];
}

export function decodeStatusList(encodedList: string): DecodedStatusList {
  if (typeof encodedList !== 'string' || !encodedList.startsWith('u') || !/^u[A-Za-z0-9_-]+$/.test(encodedList)) {
    throw new TypeError('encodedList must be a multibase base64url string starting with "u".');
  }
  let bits: Buffer;
  try {
    bits = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'), { maxOutputLength: MAX_STATUS_LIST_LENGTH / 8 });
  } catch (error) {
    throw new TypeError(`encodedList is not a GZIP-compressed bitstring (${error instanceof Error ? error.message : String(error)}).`);
  }
  const length = bits.length * 8;
  return {
    length,
    isSet(index: number): boolean {
      if (!Number.isInteger(index) || index < 0 || index >= length) throw new RangeError(`status list index ${index} is outside the list (0 to ${length - 1}).`);
      return (bits[index >> 3] & (0x80 >> (index & 7))) !== 0;
    },
    setIndexes(): number[] {
      const found: number[] = [];
      bits.forEach((byte, at) => {
        if (byte === 0) return;
        for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) found.push(at * 8 + bit);
      });
      return found;
    },
  };
}
