/**
 * Ed25519 key material in the Multikey encoding (W3C Controlled Identifiers): base58-btc multibase
 * ('z') over a multicodec header — 0xed01 for a public key (`z6Mk…`), 0x8026 for a secret key
 * (`z3u2…`). The issuer's signing key is configured in this form (CREDENTIAL_SIGNING_KEY), the
 * form `npm run cli -- credentials:keygen` prints and Digital Bazaar's tools read.
 */
import { createPrivateKey, createPublicKey, KeyObject, randomBytes } from 'node:crypto';

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const PUBLIC_HEADER = [0xed, 0x01];
const SECRET_HEADER = [0x80, 0x26];
// PKCS#8 / SPKI DER prefixes for a raw Ed25519 key (RFC 8410), so node:crypto can load raw bytes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX_LENGTH = 12;

export function base58btcEncode(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits: number[] = [];
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i];
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j] << 8;
      digits[j] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  return '1'.repeat(zeros) + digits.reverse().map((d) => BASE58_ALPHABET[d]).join('');
}

export function base58btcDecode(text: string): Uint8Array {
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  const bytes: number[] = [];
  for (let i = zeros; i < text.length; i++) {
    let carry = BASE58_ALPHABET.indexOf(text[i]);
    if (carry < 0) throw new TypeError(`character ${i + 1} is not base58-btc`);
    for (let j = 0; j < bytes.length; j++) {
      carry += bytes[j] * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  return Uint8Array.from([...new Array<number>(zeros).fill(0), ...bytes.reverse()]);
}

function withHeader(header: number[], key: Uint8Array): string {
  return 'z' + base58btcEncode(Uint8Array.from([...header, ...key]));
}

function withoutHeader(value: string, header: number[], what: string): Uint8Array {
  if (typeof value !== 'string' || !value.startsWith('z')) throw new TypeError(`${what} must be a multibase string starting with "z".`);
  let bytes: Uint8Array;
  try {
    bytes = base58btcDecode(value.slice(1));
  } catch (error) {
    throw new TypeError(`${what} is not base58-btc: ${error instanceof Error ? error.message : String(error)}.`);
  }
  if (bytes[0] !== header[0] || bytes[1] !== header[1]) throw new TypeError(`${what} is not an Ed25519 ${header === SECRET_HEADER ? 'secret' : 'public'} Multikey.`);
  return bytes.subarray(2);
}

export function secretKeyObject(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function publicKeyOf(seed: Uint8Array): Uint8Array {
  const spki = createPublicKey(secretKeyObject(seed)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(SPKI_PREFIX_LENGTH));
}

export function publicKeyMultibase(publicKey: Uint8Array): string {
  return withHeader(PUBLIC_HEADER, publicKey);
}

export function secretKeyMultibase(seed: Uint8Array): string {
  return withHeader(SECRET_HEADER, seed);
}

/**
 * The 32-byte seed of an Ed25519 secret Multikey. Accepts the canonical 32-byte form and the
 * 64-byte form (seed then public key) some tools emit, whose public half must match the seed.
 */
export function parseSecretKeyMultibase(value: string): Uint8Array {
  const key = withoutHeader(value.trim(), SECRET_HEADER, 'the signing key');
  if (key.length !== 32 && key.length !== 64) throw new TypeError(`the signing key has ${key.length} key bytes; an Ed25519 secret key has 32 (or 64 with its public key).`);
  const seed = Uint8Array.from(key.subarray(0, 32));
  if (key.length === 64 && Buffer.compare(Buffer.from(key.subarray(32)), Buffer.from(publicKeyOf(seed))) !== 0) {
    throw new TypeError('the signing key is damaged: its public half does not belong to its secret half.');
  }
  return seed;
}

export function parsePublicKeyMultibase(value: string): Uint8Array {
  const key = withoutHeader(value.trim(), PUBLIC_HEADER, 'the public key');
  if (key.length !== 32) throw new TypeError(`the public key has ${key.length} key bytes; an Ed25519 public key has 32.`);
  return Uint8Array.from(key);
}

/** A fresh key for operators: the secret to configure and the public key it publishes. */
export function generateSigningKey(): { secretKeyMultibase: string; publicKeyMultibase: string } {
  const seed = new Uint8Array(randomBytes(32));
  return { secretKeyMultibase: secretKeyMultibase(seed), publicKeyMultibase: publicKeyMultibase(publicKeyOf(seed)) };
}
