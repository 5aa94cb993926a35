/**
 * The documents of the platform as an Open Badges 3.0 issuer, as plain data: the issuer's
 * did:web identifier and DID document, its OB3 Profile, the New-Product Planner Achievement, an
 * unsigned OpenBadgeCredential for one certificate, and an unsigned Bitstring Status List
 * credential. No keys and no signing here; credentials.service.ts signs what this builds.
 */
export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const DID_V1_CONTEXT = 'https://www.w3.org/ns/did/v1';
export const MULTIKEY_V1_CONTEXT = 'https://w3id.org/security/multikey/v1';

export const ISSUER_NAME = 'TMIC Planner Academy · 天猫新品创新中心';
export const ISSUER_DESCRIPTION =
  "Tmall New-Product Innovation Center (TMIC) trains, examines and certifies New-Product Planners. 天猫新品创新中心新品策划师培训、考试与认证。";
export const ACHIEVEMENT_SLUG = 'new-product-planner';

/** Public URLs under PUBLIC_BASE_URL; they must stay stable, credentials in people's wallets point at them. */
export function credentialUrls(publicBaseUrl: string) {
  const base = publicBaseUrl.replace(/\/$/, '');
  return {
    issuerProfile: `${base}/api/v1/credentials/issuer`,
    achievement: `${base}/api/v1/credentials/achievements/${ACHIEVEMENT_SLUG}`,
    revocationList: `${base}/api/v1/credentials/status/revocation`,
    verifyPage: (verificationCode: string) => `${base}/verify/${encodeURIComponent(verificationCode)}`,
    /** Where a did:web resolver fetches the DID document of `didWebFor(publicBaseUrl)`. */
    didDocument: new URL(base).pathname.replace(/\/$/, '') ? `${base}/did.json` : `${base}/.well-known/did.json`,
  };
}

/**
 * did:web for the public address: `https://academy.example.com` → `did:web:academy.example.com`
 * (document at /.well-known/did.json); a port is percent-encoded, a path becomes `:`-separated
 * segments (document at <path>/did.json), as the did:web method specifies.
 */
export function didWebFor(publicBaseUrl: string): string {
  const url = new URL(publicBaseUrl);
  const segments = url.pathname.split('/').filter(Boolean).map((s) => encodeURIComponent(decodeURIComponent(s)));
  return ['did:web', encodeURIComponent(url.host), ...segments].join(':');
}

export interface IssuerKeyEntry {
  /** Full verification method id: `<did>#<keyId>`. */
  id: string;
  publicKeyMultibase: string;
}

export interface IssuerIdentity {
  did: string;
  publicBaseUrl: string;
  /** The current signing key first, then retired keys that still verify older credentials. */
  keys: IssuerKeyEntry[];
}

export function didDocument(identity: IssuerIdentity): Record<string, unknown> {
  const ids = identity.keys.map((k) => k.id);
  return {
    '@context': [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
    id: identity.did,
    verificationMethod: identity.keys.map((k) => ({ id: k.id, type: 'Multikey', controller: identity.did, publicKeyMultibase: k.publicKeyMultibase })),
    assertionMethod: ids,
  };
}

function issuerSummary(identity: IssuerIdentity): Record<string, unknown> {
  return { id: identity.did, type: ['Profile'], name: ISSUER_NAME, url: identity.publicBaseUrl };
}

/** The OB3 Profile published at credentialUrls().issuerProfile. */
export function issuerProfile(identity: IssuerIdentity): Record<string, unknown> {
  return {
    '@context': [VC_V2_CONTEXT, OB_CONTEXT],
    ...issuerSummary(identity),
    description: ISSUER_DESCRIPTION,
  };
}

export function achievement(publicBaseUrl: string): Record<string, unknown> {
  return {
    id: credentialUrls(publicBaseUrl).achievement,
    type: ['Achievement'],
    achievementType: 'Certification',
    name: 'TMIC New-Product Planner · 新品策划师',
    description:
      'Certified TMIC New-Product Planner: knows the TMIC data products, the four-stage new-product incubation process, and launch marketing and planning. ' +
      '天猫新品创新中心认证新品策划师：掌握数据产品、新品孵化四阶段流程及上市营销与策划。',
    criteria: {
      narrative:
        'Complete the New-Product Planner course and pass the proctored certification exam; the certification is valid for a limited period and is renewed by a renewal exam. ' +
        '完成新品策划师课程并通过监考认证考试；认证有有效期，到期前可通过续证考试续期。',
    },
    humanCode: 'TMIC-NPP',
    fieldOfStudy: 'New-product incubation · 新品孵化',
  };
}

/** Published on its own (with contexts) at credentialUrls().achievement. */
export function achievementDocument(publicBaseUrl: string): Record<string, unknown> {
  return { '@context': [VC_V2_CONTEXT, OB_CONTEXT], ...achievement(publicBaseUrl) };
}

export interface CertificateFacts {
  certificateId: string;
  serial: string;
  verificationCode: string;
  holderName: string;
  programme: string;
  examTitle: string;
  issuedAt: Date;
  expiresAt: Date;
  statusListIndex: number;
}

/** What is wrong with certificate facts, one sentence each; empty when they can be signed. */
export function problemsWith(facts: CertificateFacts, maxIndex: number): string[] {
  const problems: string[] = [];
  const text = (name: keyof CertificateFacts, max: number) => {
    const value = facts[name];
    if (typeof value !== 'string' || !value.trim()) problems.push(`${name} is required.`);
    else if (value.length > max) problems.push(`${name} may have at most ${max} characters.`);
  };
  text('certificateId', 100);
  text('serial', 100);
  text('holderName', 200);
  text('programme', 200);
  text('examTitle', 300);
  if (typeof facts.verificationCode !== 'string' || !/^[A-Za-z0-9_-]{6,128}$/.test(facts.verificationCode)) {
    problems.push('verificationCode must be 6 to 128 letters, digits, "-" or "_".');
  }
  const validDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());
  if (!validDate(facts.issuedAt)) problems.push('issuedAt must be a valid Date.');
  if (!validDate(facts.expiresAt)) problems.push('expiresAt must be a valid Date.');
  if (validDate(facts.issuedAt) && validDate(facts.expiresAt) && facts.expiresAt <= facts.issuedAt) problems.push('expiresAt must be after issuedAt.');
  if (!Number.isInteger(facts.statusListIndex) || facts.statusListIndex < 0 || facts.statusListIndex >= maxIndex) {
    problems.push(`statusListIndex must be a whole number from 0 to ${maxIndex - 1}.`);
  }
  return problems;
}

/** XML Schema dateTimeStamp without milliseconds, as VC examples and most verifiers expect. */
export function dateTimeStamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The unsigned OpenBadgeCredential for one certificate. The holder is identified by name only
 * (an OB3 IdentityObject of type "name", unhashed, as on the public verify page): no email, no
 * account id. The serial travels as the subject's licenseNumber, the exam as evidence.
 */
export function openBadgeCredential(facts: CertificateFacts, identity: IssuerIdentity): Record<string, unknown> {
  const urls = credentialUrls(identity.publicBaseUrl);
  const holderName = facts.holderName.trim();
  return {
    '@context': [VC_V2_CONTEXT, OB_CONTEXT],
    id: urls.verifyPage(facts.verificationCode),
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: facts.programme.trim(),
    issuer: issuerSummary(identity),
    validFrom: dateTimeStamp(facts.issuedAt),
    validUntil: dateTimeStamp(facts.expiresAt),
    awardedDate: dateTimeStamp(facts.issuedAt),
    credentialSubject: {
      type: ['AchievementSubject'],
      name: holderName,
      identifier: [{ type: 'IdentityObject', identityType: 'name', hashed: false, identityHash: holderName }],
      licenseNumber: facts.serial,
      achievement: achievement(identity.publicBaseUrl),
    },
    evidence: [
      {
        type: ['Evidence'],
        name: facts.examTitle.trim(),
        description: `Passed the proctored certification exam; certificate ${facts.serial}. 通过监考认证考试，证书编号 ${facts.serial}。`,
      },
    ],
    credentialStatus: {
      id: `${urls.revocationList}#${facts.statusListIndex}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(facts.statusListIndex),
      statusListCredential: urls.revocationList,
    },
  };
}

/** The unsigned Bitstring Status List credential (purpose revocation) at credentialUrls().revocationList. */
export function revocationListCredential(identity: IssuerIdentity, encodedList: string, validFrom: Date): Record<string, unknown> {
  const id = credentialUrls(identity.publicBaseUrl).revocationList;
  return {
    '@context': [VC_V2_CONTEXT],
    id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: identity.did,
    validFrom: dateTimeStamp(validFrom),
    credentialSubject: { id: `${id}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList },
  };
}
