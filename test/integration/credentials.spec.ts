/**
 * Open Badges 3.0 credentials against the real app: signed by the configured key (generated
 * here, at run time), checked with the standard libraries — @digitalbazaar/vc's verifyCredential,
 * the eddsa-rdfc-2022 Data Integrity suite and vc-bitstring-status-list's checkStatus — with the
 * issuer's DID document fetched from the app's public endpoint, never with our own code alone.
 */
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CredentialInputError, CredentialsService, OpenBadgeInput } from '../../src/modules/credentials/credentials.service';
import { credentialsKeygen } from '../../src/modules/credentials/credentials.commands';
import { createDocumentLoader } from '../../src/modules/credentials/document-loader';
import { generateSigningKey, parseSecretKeyMultibase } from '../../src/modules/credentials/domain/key-material';
import { MIN_STATUS_LIST_LENGTH } from '../../src/modules/credentials/domain/status-list';
import { IssuerKeys } from '../../src/modules/credentials/issuer-keys';
import { startTestApp, TestApp } from '../support/app';

/** The parts of the signed documents these tests read or tamper with. */
interface Doc {
  [key: string]: unknown;
  id: string;
  validUntil: string;
  validFrom: string;
  assertionMethod: string[];
  credentialSubject: { name: string; licenseNumber: string; encodedList: string; achievement: { name: string } };
  credentialStatus: { id: string; statusListIndex: string };
  proof: { verificationMethod: string };
}
const doc = (value: Record<string, unknown>) => value as unknown as Doc;

const key = generateSigningKey();
const STATUS_URL = 'http://localhost:3000/api/v1/credentials/status/revocation';

function facts(overrides: Partial<OpenBadgeInput> = {}): OpenBadgeInput {
  return {
    certificateId: randomUUID(),
    serial: 'TMIC-NPP-2026-000123',
    verificationCode: 'Vq3kP9xZr7LmT2bN',
    holderName: '王小明',
    programme: 'TMIC 新品策划师 New-Product Planner',
    examTitle: '新品策划师认证考试 2026',
    issuedAt: new Date(Date.now() - 24 * 3600_000),
    expiresAt: new Date(Date.now() + 365 * 24 * 3600_000),
    statusListIndex: 42,
    ...overrides,
  };
}

describe('Open Badges 3.0 credentials', () => {
  let t: TestApp;
  let credentials: CredentialsService;
  let published: Doc;

  /** The standard library's verification, given the documents a verifier fetched from the app. */
  async function libraryVerify(credential: unknown, statusList: object | undefined, did: Doc = published) {
    const documents: Record<string, object> = { [did.id]: did };
    if (statusList) documents[STATUS_URL] = statusList;
    return vc.verifyCredential({ credential, suite: new DataIntegrityProof({ cryptosuite }), documentLoader: createDocumentLoader(documents), checkStatus });
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { CREDENTIAL_SIGNING_KEY: key.secretKeyMultibase } });
    credentials = t.app.get(CredentialsService);
    published = doc((await request(t.url).get('/.well-known/did.json').expect(200)).body as Record<string, unknown>);
  });
  afterAll(async () => t.close());

  it('publishes the issuer DID document and OB3 profile without sign-in, carrying the configured public key', async () => {
    expect(published).toEqual({
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: 'did:web:localhost%3A3000',
      verificationMethod: [
        { id: `did:web:localhost%3A3000#${key.publicKeyMultibase}`, type: 'Multikey', controller: 'did:web:localhost%3A3000', publicKeyMultibase: key.publicKeyMultibase },
      ],
      assertionMethod: [`did:web:localhost%3A3000#${key.publicKeyMultibase}`],
    });
    const profile = await request(t.url).get('/api/v1/credentials/issuer').expect(200);
    expect(profile.body).toMatchObject({
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      id: published.id,
      type: ['Profile'],
      url: 'http://localhost:3000',
    });
    expect(profile.headers['cache-control']).toBe('public, max-age=300');
    const achievement = await request(t.url).get('/api/v1/credentials/achievements/new-product-planner').expect(200);
    expect(achievement.body).toMatchObject({ type: ['Achievement'], achievementType: 'Certification', id: 'http://localhost:3000/api/v1/credentials/achievements/new-product-planner' });
  });

  it('signs an OpenBadgeCredential that names the holder without email and that the standard library verifies through the published DID document', async () => {
    const credential = doc(await credentials.openBadgeFor(facts()));
    expect(credential).toMatchObject({
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      id: 'http://localhost:3000/verify/Vq3kP9xZr7LmT2bN',
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      issuer: { id: published.id, type: ['Profile'] },
      credentialSubject: {
        type: ['AchievementSubject'],
        name: '王小明',
        identifier: [{ type: 'IdentityObject', identityType: 'name', hashed: false, identityHash: '王小明' }],
        licenseNumber: 'TMIC-NPP-2026-000123',
        achievement: { type: ['Achievement'], name: expect.stringContaining('新品策划师') },
      },
      credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '42', statusListCredential: STATUS_URL, id: `${STATUS_URL}#42` },
      proof: { type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod', verificationMethod: published.assertionMethod[0] },
    });
    expect(credential.validFrom).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(JSON.stringify(credential)).not.toMatch(/@test\.example|email/i);

    const statusList = await credentials.statusListCredential([7, 41, 43], MIN_STATUS_LIST_LENGTH);
    const result = await libraryVerify(credential, statusList);
    expect(result.error).toBeUndefined();
    expect(result.verified).toBe(true);
    expect(result.statusResult?.results?.map((r) => r.status)).toEqual([false]);
    await expect(credentials.verify(credential, { statusListCredential: statusList })).resolves.toEqual({ verified: true, errors: [], revoked: false });
  });

  it('re-signing the same certificate gives the same document', async () => {
    const input = facts();
    expect(await credentials.openBadgeFor(input)).toEqual(await credentials.openBadgeFor(input));
  });

  it.each([
    ['the holder name', (c: Doc) => (c.credentialSubject.name = '李四')],
    ['the expiry', (c: Doc) => (c.validUntil = '2099-01-01T00:00:00Z')],
    ['the serial', (c: Doc) => (c.credentialSubject.licenseNumber = 'TMIC-NPP-2026-999999')],
    ['the status list index', (c: Doc) => ((c.credentialStatus.statusListIndex = '43'), (c.credentialStatus.id = `${STATUS_URL}#43`))],
    ['the achievement', (c: Doc) => (c.credentialSubject.achievement.name = 'Grand Master')],
  ])('fails verification after tampering with %s', async (_what, tamper) => {
    const credential = doc(await credentials.openBadgeFor(facts()));
    const statusList = await credentials.statusListCredential([], MIN_STATUS_LIST_LENGTH);
    tamper(credential);
    const result = await libraryVerify(credential, statusList);
    expect(result.verified).toBe(false);
    expect(JSON.stringify(result.error?.errors?.map((e) => e.message))).toContain('Invalid signature');
    const ours = await credentials.verify(credential, { statusListCredential: statusList });
    expect(ours.verified).toBe(false);
    expect(ours.errors).toContain('Invalid signature.');
  });

  it('a revoked index in the status list makes the status check report revoked and verification fail', async () => {
    const credential = await credentials.openBadgeFor(facts({ statusListIndex: 99_000 }));
    const statusList = await credentials.statusListCredential([3, 99_000], MIN_STATUS_LIST_LENGTH);
    const result = await libraryVerify(credential, statusList);
    expect(result.statusResult?.verified).toBe(true);
    expect(result.statusResult?.results?.map((r) => r.status)).toEqual([true]);
    const ours = await credentials.verify(credential, { statusListCredential: statusList });
    expect(ours).toEqual({ verified: false, revoked: true, errors: ['The credential has been revoked by its issuer.'] });
  });

  it('a status list whose bits were edited after signing does not count, so a revocation cannot be undone by a forger', async () => {
    const credential = await credentials.openBadgeFor(facts({ statusListIndex: 5 }));
    const revokedList = doc(await credentials.statusListCredential([5], MIN_STATUS_LIST_LENGTH));
    const clean = doc(await credentials.statusListCredential([], MIN_STATUS_LIST_LENGTH));
    const forged = { ...revokedList, credentialSubject: { ...revokedList.credentialSubject, encodedList: clean.credentialSubject.encodedList } };
    const result = await libraryVerify(credential, forged);
    expect(result.verified).toBe(false);
    expect(result.statusResult?.error?.message).toMatch(/"BitstringStatusListCredential" not verified/);
    const ours = await credentials.verify(credential, { statusListCredential: forged });
    expect(ours.verified).toBe(false);
    expect(ours.revoked).toBeUndefined();
  });

  it('cannot verify the status without a status list or a source for it, and says so', async () => {
    const credential = await credentials.openBadgeFor(facts());
    // A service of the same issuer with no revocation source registered (the app's has one).
    const result = await new CredentialsService(await IssuerKeys.fromConfig(t.config)).verify(credential);
    expect(result.verified).toBe(false);
    expect(result.errors.join(' ')).toMatch(/Could not load "BitstringStatusListCredential".*not available offline/);
  });

  it('uses a registered revocation source when no status list is handed in', async () => {
    const credential = await credentials.openBadgeFor(facts({ statusListIndex: 77 }));
    const service = new CredentialsService(await IssuerKeys.fromConfig(t.config));
    let revoked: number[] = [];
    service.registerRevocationListSource({ revocationList: async () => ({ revokedIndexes: revoked, length: MIN_STATUS_LIST_LENGTH }) });
    await expect(service.verify(credential)).resolves.toMatchObject({ verified: true, revoked: false });
    revoked = [77];
    await expect(service.verify(credential)).resolves.toMatchObject({ verified: false, revoked: true });
  });

  it('a credential signed with another key does not verify against the published DID document', async () => {
    const impostor = new CredentialsService(
      await IssuerKeys.fromConfig({ publicBaseUrl: t.config.publicBaseUrl, credentials: { ...t.config.credentials, signingKeySeed: parseSecretKeyMultibase(generateSigningKey().secretKeyMultibase) } }),
    );
    const forged = doc(await impostor.openBadgeFor(facts()));
    // Claim the real key: the signature still does not match it.
    forged.proof.verificationMethod = published.assertionMethod[0];
    const statusList = await credentials.statusListCredential([], MIN_STATUS_LIST_LENGTH);
    expect((await libraryVerify(forged, statusList)).verified).toBe(false);
    expect((await credentials.verify(forged, { statusListCredential: statusList })).verified).toBe(false);
  });

  it('keeps verifying credentials signed with a retired key that is still published', async () => {
    const old = generateSigningKey();
    const before = new CredentialsService(
      await IssuerKeys.fromConfig({ publicBaseUrl: t.config.publicBaseUrl, credentials: { signingKeySeed: parseSecretKeyMultibase(old.secretKeyMultibase), keyId: '2025', retiredPublicKeys: [] } }),
    );
    const issuedBefore = await before.openBadgeFor(facts());
    const after = new CredentialsService(
      await IssuerKeys.fromConfig({
        publicBaseUrl: t.config.publicBaseUrl,
        credentials: { signingKeySeed: parseSecretKeyMultibase(key.secretKeyMultibase), keyId: '2026', retiredPublicKeys: [{ keyId: '2025', publicKeyMultibase: old.publicKeyMultibase }] },
      }),
    );
    expect(doc(after.didDocument()).assertionMethod).toEqual([`${published.id}#2026`, `${published.id}#2025`]);
    const statusList = await after.statusListCredential([], MIN_STATUS_LIST_LENGTH);
    expect((await libraryVerify(issuedBefore, statusList, doc(after.didDocument()))).verified).toBe(true);
    await expect(after.verify(issuedBefore, { statusListCredential: statusList })).resolves.toMatchObject({ verified: true });
    // Without the retired key published, the same credential no longer verifies.
    expect((await libraryVerify(issuedBefore, statusList, published)).verified).toBe(false);
  });

  it('an expired certificate’s credential fails verification after validUntil', async () => {
    const credential = await credentials.openBadgeFor(facts({ expiresAt: new Date(Date.now() + 3600_000) }));
    const statusList = await credentials.statusListCredential([], MIN_STATUS_LIST_LENGTH);
    const later = new Date(Date.now() + 2 * 3600_000);
    const result = await credentials.verify(credential, { statusListCredential: statusList, now: later });
    expect(result.verified).toBe(false);
    expect(result.errors.join(' ')).toMatch(/is after "validUntil"/);
  });

  it('refuses to sign incomplete certificate facts, naming each problem', async () => {
    const attempt = credentials.openBadgeFor(facts({ holderName: ' ', statusListIndex: -1, expiresAt: new Date(0), verificationCode: 'a b' }));
    await expect(attempt).rejects.toThrow(CredentialInputError);
    await expect(attempt).rejects.toThrow(/holderName is required\. verificationCode must be .* expiresAt must be after issuedAt\. statusListIndex must be a whole number/);
    await expect(credentials.statusListCredential([MIN_STATUS_LIST_LENGTH + 5], MIN_STATUS_LIST_LENGTH)).rejects.toThrow(/index 131077 is not valid/);
  });

  it('signs the status list as a BitstringStatusListCredential of the same issuer, at least 131,072 entries', async () => {
    const list = doc(await credentials.statusListCredential([1], 8));
    expect(list).toMatchObject({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: STATUS_URL,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: published.id,
      credentialSubject: { id: `${STATUS_URL}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: expect.stringMatching(/^u/) },
      proof: { cryptosuite: 'eddsa-rdfc-2022' },
    });
    const result = await vc.verifyCredential({ credential: list, suite: new DataIntegrityProof({ cryptosuite }), documentLoader: createDocumentLoader({ [published.id]: published }) });
    expect(result.verified).toBe(true);
  });
});

describe('issuer key at boot', () => {
  it('without CREDENTIAL_SIGNING_KEY makes an ephemeral key and warns that credentials will not survive a restart', async () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message) };
    const keys = await IssuerKeys.fromConfig({ publicBaseUrl: 'https://academy.example.com', credentials: { signingKeySeed: null, keyId: null, retiredPublicKeys: [] } }, logger as never);
    expect(keys.ephemeral).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/will not verify after a restart/);
    const other = await IssuerKeys.fromConfig({ publicBaseUrl: 'https://academy.example.com', credentials: { signingKeySeed: null, keyId: null, retiredPublicKeys: [] } }, logger as never);
    expect(other.identity.keys[0].publicKeyMultibase).not.toBe(keys.identity.keys[0].publicKeyMultibase);
  });

  it('with a configured key warns nothing, and derives did:web from PUBLIC_BASE_URL', async () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message) };
    const configured = { signingKeySeed: parseSecretKeyMultibase(key.secretKeyMultibase), keyId: 'k1', retiredPublicKeys: [] };
    const keys = await IssuerKeys.fromConfig({ publicBaseUrl: 'https://academy.example.com', credentials: configured }, logger as never);
    expect(warnings).toEqual([]);
    expect(keys.identity.did).toBe('did:web:academy.example.com');
    expect(keys.identity.keys).toEqual([{ id: 'did:web:academy.example.com#k1', publicKeyMultibase: key.publicKeyMultibase }]);
    const underPath = await IssuerKeys.fromConfig({ publicBaseUrl: 'https://tmic.example.com:8443/academy', credentials: configured }, logger as never);
    expect(underPath.identity.did).toBe('did:web:tmic.example.com%3A8443:academy');
  });

  it('credentials:keygen prints a usable key as env-file lines', async () => {
    const lines: string[] = [];
    await expect(credentialsKeygen([], (line) => lines.push(line))).resolves.toBe(0);
    const secret = lines.find((l) => l.startsWith('CREDENTIAL_SIGNING_KEY='))!.split('=')[1];
    expect(parseSecretKeyMultibase(secret)).toHaveLength(32);
    expect(lines.join('\n')).toMatch(/z6Mk/);
    expect(() => credentialsKeygen(['--force'], () => undefined)).toThrow(/takes no arguments/);
  });
});
