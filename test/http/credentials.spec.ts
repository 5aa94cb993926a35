/**
 * A verifier's view over HTTP: a really issued certificate's Open Badges credential fetched from
 * the public API, verified with the standard libraries (@digitalbazaar/vc + eddsa-rdfc-2022 +
 * vc-bitstring-status-list), resolving the issuer's did:web DID document and the status list
 * over HTTP from the app as a did:web resolver would — then revoked by staff through the API.
 */
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import request from 'supertest';
import { CredentialsService } from '../../src/modules/credentials/credentials.service';
import { createDocumentLoader, DocumentLoader } from '../../src/modules/credentials/document-loader';
import { generateSigningKey } from '../../src/modules/credentials/domain/key-material';
import { startTestApp, TestApp } from '../support/app';
import { makeCertifiedUser, makeUser, PASSWORD } from '../support/factories';
import { signedInAgent } from '../support/http';

jest.setTimeout(60_000);

interface SignedBadge {
  [key: string]: unknown;
  issuer: { id: string };
  credentialSubject: { name: string; licenseNumber: string };
  credentialStatus: { statusListIndex: string; statusListCredential: string };
  proof: { verificationMethod: string };
}

describe('Open Badges credentials of issued certificates, as a verifier sees them', () => {
  const key = generateSigningKey();
  let t: TestApp;
  const fetched: string[] = [];

  /**
   * Resolves what a verifier must fetch — the did:web document (https://<host>/.well-known/did.json
   * per the did:web method) and the status list — from the app under test (PUBLIC_BASE_URL is
   * http://localhost:3000 while the app listens on a random port). JSON-LD contexts stay bundled.
   */
  function verifierLoader(): DocumentLoader {
    const contexts = createDocumentLoader();
    const pathOf = (url: string): string => {
      if (url.startsWith('did:web:')) {
        const [host, ...segments] = url.slice('did:web:'.length).split('#')[0].split(':').map(decodeURIComponent);
        expect(host).toBe(new URL(t.config.publicBaseUrl).host);
        return segments.length ? `/${segments.join('/')}/did.json` : '/.well-known/did.json';
      }
      if (url.startsWith(t.config.publicBaseUrl + '/')) return url.slice(t.config.publicBaseUrl.length);
      throw new Error(`a verifier would not fetch ${url} here`);
    };
    return async (url: string) => {
      try {
        return await contexts(url);
      } catch {
        const response = await request(t.url).get(pathOf(url)).expect(200);
        fetched.push(pathOf(url));
        const document = response.body as { verificationMethod?: { id: string }[]; '@context'?: unknown };
        const fragment = url.startsWith('did:') && url.includes('#');
        const found = fragment ? document.verificationMethod?.find((vm) => vm.id === url) : document;
        if (!found) throw new Error(`${url} is not in the fetched document`);
        return { contextUrl: null, documentUrl: url, document: fragment ? { '@context': document['@context'], ...found } : found };
      }
    };
  }

  const verifyAsAVerifier = (credential: unknown) =>
    vc.verifyCredential({ credential, suite: new DataIntegrityProof({ cryptosuite }), documentLoader: verifierLoader(), checkStatus });

  beforeAll(async () => {
    t = await startTestApp({ env: { CREDENTIAL_SIGNING_KEY: key.secretKeyMultibase } });
  });
  afterAll(async () => t?.close());

  it('verifies the served credential through the published DID document and status list, and fails it once staff revoke the certificate', async () => {
    const { certificateId, serial, verificationCode } = await makeCertifiedUser(t.app, { name: '陈静' });
    const other = await makeCertifiedUser(t.app, { name: '周杰' });
    const served = await request(t.url).get(`/api/v1/verify/${verificationCode}/credential`).expect(200);
    const credential = served.body as SignedBadge;
    expect(credential).toMatchObject({ credentialSubject: { name: '陈静', licenseNumber: serial } });
    const otherCredential = (await request(t.url).get(`/api/v1/verify/${other.verificationCode}/credential`).expect(200)).body as SignedBadge;
    expect(otherCredential.credentialStatus.statusListIndex).not.toBe(credential.credentialStatus.statusListIndex);

    fetched.length = 0;
    const before = await verifyAsAVerifier(credential);
    expect(before.error).toBeUndefined();
    expect(before.verified).toBe(true);
    expect(before.statusResult?.results?.map((r) => r.status)).toEqual([false]);
    // The key came from the app's public endpoints, and it is the configured one.
    expect(fetched).toEqual(expect.arrayContaining(['/.well-known/did.json', '/api/v1/credentials/status/revocation']));
    const did = (await request(t.url).get('/.well-known/did.json').expect(200)).body as { verificationMethod: { id: string; publicKeyMultibase: string }[] };
    expect(did.verificationMethod.find((vm) => vm.id === credential.proof.verificationMethod)?.publicKeyMultibase).toBe(key.publicKeyMultibase);

    const tampered = { ...credential, credentialSubject: { ...credential.credentialSubject, name: '陈静静' } };
    expect((await verifyAsAVerifier(tampered)).verified).toBe(false);

    const staff = await makeUser(t.app, 'platform_staff');
    const api = await signedInAgent(t.url, staff.email, PASSWORD);
    await api.post(`/api/v1/certificates/${certificateId}/revocation`).send({ reason: 'identity fraud' }).expect(200);

    const after = await verifyAsAVerifier(credential);
    expect(after.statusResult?.verified).toBe(true);
    expect(after.statusResult?.results?.map((r) => r.status)).toEqual([true]);
    // In the app, against the live list: revoked, and so not verified.
    await expect(t.app.get(CredentialsService).verify(credential)).resolves.toEqual({ verified: false, revoked: true, errors: ['The credential has been revoked by its issuer.'] });

    // The other holder's credential is untouched by this revocation.
    const untouched = await verifyAsAVerifier(otherCredential);
    expect(untouched.verified).toBe(true);
    expect(untouched.statusResult?.results?.map((r) => r.status)).toEqual([false]);
    await expect(t.app.get(CredentialsService).verify(otherCredential)).resolves.toEqual({ verified: true, revoked: false, errors: [] });
  });

  it('answers 404 with a code for an unknown verification code, and the issuer documents without sign-in', async () => {
    expect((await request(t.url).get('/api/v1/verify/AAAAAAAAAAAAAAAAAAAAAAAA/credential')).status).toBe(404);
    const profile = (await request(t.url).get('/api/v1/credentials/issuer').expect(200)).body as { id: string; type: string[] };
    const did = (await request(t.url).get('/.well-known/did.json').expect(200)).body as { id: string };
    expect(profile).toMatchObject({ id: did.id, type: ['Profile'] });
  });
});
