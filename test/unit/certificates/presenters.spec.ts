import { linkedInAddToProfileUrl, publicVerification } from '../../../src/modules/certificates/certificates.presenters';
import { CertificateRecord } from '../../../src/modules/certificates/certificates.types';

const record = (over: Partial<CertificateRecord> = {}): CertificateRecord => ({
  id: '00000000-0000-4000-8000-000000000001',
  serial: 'TMIC-NPP-2026-000042',
  holderId: '00000000-0000-4000-8000-000000000002',
  holderName: '李雷',
  holderOrganisationId: '00000000-0000-4000-8000-000000000003',
  programme: 'TMIC-NPP',
  examId: '00000000-0000-4000-8000-000000000004',
  examTitle: { 'zh-CN': '认证考试', en: 'Certification exam' },
  attemptId: '00000000-0000-4000-8000-000000000005',
  scorePercent: 88,
  issuedAt: new Date('2026-03-01T00:00:00Z'),
  expiresAt: new Date('2028-03-01T00:00:00Z'),
  status: 'active',
  pastExpiry: false,
  statusChangedAt: new Date('2026-03-01T00:00:00Z'),
  revokedAt: null,
  revocationReason: null,
  renewsId: null,
  supersededById: null,
  verificationCode: 'abcdefghijklmnopqrstuvwxyz012345',
  statusListIndex: 7,
  evidence: { attemptId: 'x' },
  ...over,
});

describe('public verification view', () => {
  it('shows the fields the public may see and nothing personal beyond the name', () => {
    const view = publicVerification(record(), 'en');
    expect(view).toEqual({
      serial: 'TMIC-NPP-2026-000042',
      holderName: '李雷',
      programme: 'TMIC New-Product Planner certification',
      programmeCode: 'TMIC-NPP',
      issuedAt: '2026-03-01T00:00:00.000Z',
      expiresAt: '2028-03-01T00:00:00.000Z',
      status: 'active',
    });
  });

  it('says revoked with the date', () => {
    const view = publicVerification(record({ status: 'revoked', revokedAt: new Date('2026-09-09T09:00:00Z'), revocationReason: 'private reason' }), 'zh-CN');
    expect(view.status).toBe('revoked');
    expect(view.revokedAt).toBe('2026-09-09T09:00:00.000Z');
    expect(JSON.stringify(view)).not.toContain('private reason');
  });

  it('says expired from the expiry date when the daily job has not run yet', () => {
    const view = publicVerification(record({ pastExpiry: true }), 'en');
    expect(view.status).toBe('expired');
    expect(view.statusChangedAt).toBe('2028-03-01T00:00:00.000Z');
  });
});

describe('LinkedIn add-to-profile link', () => {
  it('is built from the certificate fields, with the verification URL', () => {
    const url = new URL(linkedInAddToProfileUrl(record(), 'https://academy.example.com/verify/abc', 'en'));
    expect(url.origin + url.pathname).toBe('https://www.linkedin.com/profile/add');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      startTask: 'CERTIFICATION_NAME',
      name: 'TMIC New-Product Planner certification',
      organizationName: 'Tmall New-Product Innovation Center (TMIC)',
      issueYear: '2026',
      issueMonth: '3',
      expirationYear: '2028',
      expirationMonth: '3',
      certUrl: 'https://academy.example.com/verify/abc',
      certId: 'TMIC-NPP-2026-000042',
    });
  });
});
