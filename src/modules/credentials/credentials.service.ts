/**
 * Open Badges 3.0 credentials for certificates: signs them, signs the revocation status list,
 * publishes the issuer's profile and DID document, and verifies credentials.
 *
 * Format choice. A W3C Verifiable Credential (VC Data Model 2.0) with an embedded Data Integrity
 * proof, cryptosuite `eddsa-rdfc-2022` (Ed25519 over RDF Dataset Canonicalization), and a
 * Bitstring Status List entry for revocation — made and checked with Digital Bazaar's libraries
 * (@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022-cryptosuite, ed25519-multikey,
 * vc-bitstring-status-list). Why this and not a VC-JWT (VC-JOSE-COSE) signed with `jose`:
 *  - one standard library stack verifies end to end, status included: `vc.verifyCredential`
 *    with `checkStatus` from vc-bitstring-status-list loads the status list credential, verifies
 *    its proof and matching issuer, and reads the bit. For a VC-JWT, `jose` checks the signature
 *    only; the status check would be our own code, which is what we must not grade ourselves on.
 *  - Open Badges 3.0 names both proof formats; embedded proofs keep the credential one readable
 *    JSON-LD document that wallets and the 1EdTech validator accept as is.
 *  - the JSON-LD contexts ship in npm packages, so signing and verifying run offline through
 *    document-loader.ts (a context is never fetched).
 * The issuer is did:web derived from PUBLIC_BASE_URL; its DID document (Multikey, assertionMethod)
 * is served at /.well-known/did.json, so any did:web resolver finds the key.
 *
 * The Digital Bazaar packages are ESM only: the compiled app loads them with Node 20's
 * require(esm); Jest compiles them to CommonJS (listed in jest.config.js).
 *
 * This module owns no table. The certificates module owns certificates and their status list
 * indexes; it calls openBadgeFor / statusListCredential and serves the status list URL, and may
 * register a RevocationListSource so that verify() can check status in process.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import * as vc from '@digitalbazaar/vc';
import { createDocumentLoader } from './document-loader';
import {
  achievementDocument,
  CertificateFacts,
  credentialUrls,
  didDocument,
  issuerProfile,
  openBadgeCredential,
  problemsWith,
  revocationListCredential,
} from './domain/open-badge';
import { encodeStatusList, MAX_STATUS_LIST_LENGTH, MIN_STATUS_LIST_LENGTH } from './domain/status-list';
import { IssuerKeys } from './issuer-keys';

export type OpenBadgeInput = CertificateFacts;

export interface CredentialVerification {
  verified: boolean;
  /** Why it did not verify, in the libraries' words (English); empty when verified. */
  errors: string[];
  /** Present when the revocation status was checked: true when the credential is revoked. */
  revoked?: boolean;
}

/** Where verify() reads the current revocation list when it is not handed one. */
export interface RevocationListSource {
  revocationList(): Promise<{ revokedIndexes: number[]; length: number }>;
}

export class CredentialInputError extends TypeError {}

/** How long a signed status list is reused for the same revoked set (a signature costs ~10 ms). */
const STATUS_LIST_REUSE_MS = 60_000;

function messagesOf(error: unknown): string[] {
  if (error === undefined || error === null) return [];
  if (typeof error !== 'object') return [JSON.stringify(error)];
  const { errors, message } = error as { errors?: unknown; message?: unknown };
  if (Array.isArray(errors) && errors.length) return errors.flatMap(messagesOf);
  return [typeof message === 'string' ? message : JSON.stringify(error)];
}

@Injectable()
export class CredentialsService {
  private revocationSource: RevocationListSource | null = null;
  private signedList: { encodedList: string; signedAt: number; credential: Record<string, unknown> } | null = null;

  constructor(@Inject(IssuerKeys) private readonly keys: IssuerKeys) {}

  get urls() {
    return credentialUrls(this.keys.identity.publicBaseUrl);
  }

  /** The issuer's DID (did:web), the `issuer.id` of every credential. */
  get issuerId(): string {
    return this.keys.identity.did;
  }

  /** Whether the key was generated at this boot (no CREDENTIAL_SIGNING_KEY): credentials die with the process. */
  get usesEphemeralKey(): boolean {
    return this.keys.ephemeral;
  }

  didDocument(): Record<string, unknown> {
    return didDocument(this.keys.identity);
  }

  issuerProfile(): Record<string, unknown> {
    return issuerProfile(this.keys.identity);
  }

  achievement(): Record<string, unknown> {
    return achievementDocument(this.keys.identity.publicBaseUrl);
  }

  registerRevocationListSource(source: RevocationListSource): void {
    this.revocationSource = source;
  }

  /** The signed OpenBadgeCredential for one certificate. Same facts and key → the same document. */
  async openBadgeFor(input: OpenBadgeInput): Promise<Record<string, unknown>> {
    const problems = problemsWith(input, MAX_STATUS_LIST_LENGTH);
    if (problems.length) throw new CredentialInputError(`cannot sign an Open Badge: ${problems.join(' ')}`);
    // proof.created = issuedAt: Ed25519 is deterministic, so re-signing yields identical bytes.
    return this.sign(openBadgeCredential(input, this.keys.identity), input.issuedAt);
  }

  /** The signed BitstringStatusListCredential (purpose revocation) served at urls.revocationList. */
  async statusListCredential(revokedIndexes: number[], length: number = MIN_STATUS_LIST_LENGTH): Promise<Record<string, unknown>> {
    let encodedList: string;
    try {
      encodedList = encodeStatusList(revokedIndexes, Math.ceil(Math.max(length, MIN_STATUS_LIST_LENGTH) / 8) * 8);
    } catch (error) {
      throw new CredentialInputError(`cannot sign the status list: ${error instanceof Error ? error.message : String(error)}`);
    }
    const cached = this.signedList;
    if (cached && cached.encodedList === encodedList && Date.now() - cached.signedAt < STATUS_LIST_REUSE_MS) return structuredClone(cached.credential);
    const now = new Date();
    const credential = await this.sign(revocationListCredential(this.keys.identity, encodedList, now), now);
    this.signedList = { encodedList, signedAt: now.getTime(), credential };
    return structuredClone(credential);
  }

  /**
   * Verifies a credential with the standard libraries: the proof against the issuer's published
   * key, validFrom/validUntil against `now`, and its revocation status against the status list
   * (`options.statusListCredential`, else the registered source). Only this issuer's documents
   * are known, nothing is fetched: a credential from elsewhere does not verify here.
   */
  async verify(credential: unknown, options: { statusListCredential?: Record<string, unknown>; now?: Date } = {}): Promise<CredentialVerification> {
    if (!credential || typeof credential !== 'object' || Array.isArray(credential)) {
      return { verified: false, errors: ['The credential must be a JSON object.'] };
    }
    const documents = new Map<string, object>([[this.keys.identity.did, this.didDocument()]]);
    const statusList = options.statusListCredential ?? (await this.currentStatusList());
    if (statusList) documents.set(this.urls.revocationList, statusList);
    const documentLoader = createDocumentLoader(documents);
    const suite = new DataIntegrityProof({ cryptosuite });
    const result = await vc.verifyCredential({ credential, suite, documentLoader, checkStatus, now: options.now });
    const errors = messagesOf(result.error);
    let revoked: boolean | undefined;
    if (result.statusResult) {
      errors.push(...messagesOf(result.statusResult.error));
      if (result.statusResult.verified) {
        revoked = (result.statusResult.results ?? []).some((r) => r.status);
        if (revoked) errors.push('The credential has been revoked by its issuer.');
      }
    }
    const outcome: CredentialVerification = { verified: result.verified && revoked !== true && errors.length === 0, errors };
    if (revoked !== undefined) outcome.revoked = revoked;
    return outcome;
  }

  private async currentStatusList(): Promise<Record<string, unknown> | undefined> {
    if (!this.revocationSource) return undefined;
    const { revokedIndexes, length } = await this.revocationSource.revocationList();
    return this.statusListCredential(revokedIndexes, length);
  }

  private async sign(credential: Record<string, unknown>, date: Date): Promise<Record<string, unknown>> {
    const suite = new DataIntegrityProof({ signer: this.keys.signingKey.signer(), cryptosuite, date });
    const documentLoader = createDocumentLoader(new Map([[this.keys.identity.did, this.didDocument()]]));
    return vc.issue({ credential, suite, documentLoader });
  }
}
