import { decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import { gunzipSync } from 'node:zlib';
import { decodeStatusList, encodeStatusList, MIN_STATUS_LIST_LENGTH } from '../../../src/modules/credentials/domain/status-list';

describe('Bitstring Status List encoding', () => {
  it('round-trips the revoked indexes through GZIP and base64url', () => {
    const revoked = [0, 7, 8, 1234, MIN_STATUS_LIST_LENGTH - 1];
    const decoded = decodeStatusList(encodeStatusList(revoked));
    expect(decoded.length).toBe(MIN_STATUS_LIST_LENGTH);
    expect(decoded.setIndexes()).toEqual(revoked);
    expect(decoded.isSet(1234)).toBe(true);
    expect(decoded.isSet(1235)).toBe(false);
  });

  it('is a multibase base64url string ("u", no padding) of the spec minimum 16 KiB bitstring', () => {
    const encoded = encodeStatusList([]);
    expect(encoded).toMatch(/^u[A-Za-z0-9_-]+$/);
    const bits = gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
    expect(bits.length).toBe(16 * 1024);
    expect(bits.every((b) => b === 0)).toBe(true);
  });

  it('puts index 0 in the left-most (most significant) bit of the first byte', () => {
    const bits = gunzipSync(Buffer.from(encodeStatusList([0, 9]).slice(1), 'base64url'));
    expect(bits[0]).toBe(0b1000_0000);
    expect(bits[1]).toBe(0b0100_0000);
  });

  it('is read the same way by the standard library (vc-bitstring-status-list)', async () => {
    const revoked = [3, 4096, 99_999];
    const list = await decodeList({ encodedList: encodeStatusList(revoked, MIN_STATUS_LIST_LENGTH * 2) });
    expect(list.length).toBe(MIN_STATUS_LIST_LENGTH * 2);
    for (const index of [2, 3, 4, 4096, 99_998, 99_999, 200_000]) expect(list.getStatus(index)).toBe(revoked.includes(index));
  });

  it('gives the same string for the same set whatever the order or repetition', () => {
    expect(encodeStatusList([5, 1, 5])).toBe(encodeStatusList([1, 5]));
  });

  it('refuses lists shorter than the spec minimum or not a whole number of bytes', () => {
    expect(() => encodeStatusList([], 1000)).toThrow(/multiple of 8 from 131072/);
    expect(() => encodeStatusList([], MIN_STATUS_LIST_LENGTH + 3)).toThrow(/multiple of 8/);
  });

  it('refuses an index outside the list, negative or fractional', () => {
    expect(() => encodeStatusList([MIN_STATUS_LIST_LENGTH])).toThrow(/index 131072 is not valid: give a whole number from 0 to 131071/);
    expect(() => encodeStatusList([-1])).toThrow(/index -1/);
    expect(() => encodeStatusList([1.5])).toThrow(/index 1.5/);
  });

  it('refuses an encodedList without the multibase prefix or not compressed', () => {
    expect(() => decodeStatusList(encodeStatusList([]).slice(1))).toThrow(/starting with "u"/);
    expect(() => decodeStatusList('u' + Buffer.from('not gzip').toString('base64url'))).toThrow(/not a GZIP-compressed bitstring/);
  });
});
