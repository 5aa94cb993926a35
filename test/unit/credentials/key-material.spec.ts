import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  base58btcDecode,
  base58btcEncode,
  generateSigningKey,
  parsePublicKeyMultibase,
  parseSecretKeyMultibase,
  publicKeyMultibase,
  publicKeyOf,
  secretKeyMultibase,
  secretKeyObject,
} from '../../../src/modules/credentials/domain/key-material';
import { loadConfig } from '../../../src/infra/config/config';

describe('Ed25519 Multikey key material', () => {
  it('base58-btc round-trips bytes, leading zeros included', () => {
    for (const bytes of [[], [0], [0, 0, 1], [255, 254, 0, 3], Array.from({ length: 66 }, (_, i) => (i * 37) % 256)]) {
      expect(Array.from(base58btcDecode(base58btcEncode(Uint8Array.from(bytes))))).toEqual(bytes);
    }
    expect(base58btcEncode(Buffer.from('hello world'))).toBe('StV1DL6CwTryKyV');
  });

  it('encodes keys with the Multikey prefixes z6Mk (public) and z3u2 (secret)', () => {
    const key = generateSigningKey();
    expect(key.publicKeyMultibase).toMatch(/^z6Mk/);
    expect(key.secretKeyMultibase).toMatch(/^z3u2/);
    const seed = parseSecretKeyMultibase(key.secretKeyMultibase);
    expect(publicKeyMultibase(publicKeyOf(seed))).toBe(key.publicKeyMultibase);
    expect(parsePublicKeyMultibase(key.publicKeyMultibase)).toEqual(publicKeyOf(seed));
  });

  it('the parsed seed signs what the published public key verifies', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const seed = new Uint8Array(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
    const parsed = parseSecretKeyMultibase(secretKeyMultibase(seed));
    const signature = sign(null, Buffer.from('certificate'), secretKeyObject(parsed));
    expect(verify(null, Buffer.from('certificate'), createPublicKey(privateKey), signature)).toBe(true);
    expect(Buffer.from(publicKeyOf(parsed)).toString('base64url')).toBe(createPublicKey(privateKey).export({ format: 'jwk' }).x);
  });

  it('accepts the 64-byte form (seed then public key) and refuses one whose halves do not match', () => {
    const seed = new Uint8Array(32).fill(7);
    const long = 'z' + base58btcEncode(Uint8Array.from([0x80, 0x26, ...seed, ...publicKeyOf(seed)]));
    expect(parseSecretKeyMultibase(long)).toEqual(seed);
    const damaged = 'z' + base58btcEncode(Uint8Array.from([0x80, 0x26, ...seed, ...publicKeyOf(new Uint8Array(32).fill(8))]));
    expect(() => parseSecretKeyMultibase(damaged)).toThrow(/public half does not belong/);
  });

  it('explains what is wrong with a malformed key without repeating it', () => {
    const { publicKeyMultibase: pub } = generateSigningKey();
    expect(() => parseSecretKeyMultibase('u123')).toThrow(/starting with "z"/);
    expect(() => parseSecretKeyMultibase('z0OIl')).toThrow(/not base58-btc/);
    expect(() => parseSecretKeyMultibase(pub)).toThrow(/not an Ed25519 secret Multikey/);
    expect(() => parseSecretKeyMultibase('z' + base58btcEncode(Uint8Array.from([0x80, 0x26, 1, 2, 3])))).toThrow(/has 3 key bytes/);
  });
});

describe('credential key configuration', () => {
  const base = { NODE_ENV: 'test', SESSION_SECRET: 'x'.repeat(32) };

  it('reads CREDENTIAL_SIGNING_KEY, CREDENTIAL_KEY_ID and retired public keys', () => {
    const key = generateSigningKey();
    const old = generateSigningKey();
    const config = loadConfig({ ...base, CREDENTIAL_SIGNING_KEY: key.secretKeyMultibase, CREDENTIAL_KEY_ID: '2026-01', CREDENTIAL_RETIRED_PUBLIC_KEYS: `2025-01=${old.publicKeyMultibase}, ${old.publicKeyMultibase}` });
    expect(publicKeyMultibase(publicKeyOf(config.credentials.signingKeySeed!))).toBe(key.publicKeyMultibase);
    expect(config.credentials.keyId).toBe('2026-01');
    expect(config.credentials.retiredPublicKeys).toEqual([
      { keyId: '2025-01', publicKeyMultibase: old.publicKeyMultibase },
      { keyId: old.publicKeyMultibase, publicKeyMultibase: old.publicKeyMultibase },
    ]);
  });

  it('stops the boot with a clear line for a malformed key, and never echoes the key', () => {
    const secret = generateSigningKey().secretKeyMultibase;
    const truncated = secret.slice(0, 20);
    let message = '';
    try {
      loadConfig({ ...base, CREDENTIAL_SIGNING_KEY: truncated });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^CREDENTIAL_SIGNING_KEY is not valid: .*credentials:keygen/);
    expect(message).not.toContain(truncated);
    expect(() => loadConfig({ ...base, CREDENTIAL_SIGNING_KEY: secret, CREDENTIAL_KEY_ID: 'has space' })).toThrow(/CREDENTIAL_KEY_ID="has space" is not valid/);
    expect(() => loadConfig({ ...base, CREDENTIAL_RETIRED_PUBLIC_KEYS: 'old=z6Mkbroken' })).toThrow(/CREDENTIAL_RETIRED_PUBLIC_KEYS: "old=z6Mkbroken" is not valid/);
  });

  it('requires the key in production and leaves it unset (ephemeral at boot) in development and test', () => {
    expect(() => loadConfig({ ...base, NODE_ENV: 'production' })).toThrow(/CREDENTIAL_SIGNING_KEY is required in production/);
    expect(loadConfig(base).credentials.signingKeySeed).toBeNull();
  });
});
