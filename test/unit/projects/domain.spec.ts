import { certificateProblem, memberStanding, withdrawalReasonOf } from '../../../src/modules/projects/domain/certificate-standing';
import { backfillEarliest, chinaDay, deliveredAtProblem, parseDeliveredAt } from '../../../src/modules/projects/domain/delivery-dates';
import { grantTransition } from '../../../src/modules/projects/domain/grant-rules';

const at = (iso: string) => new Date(iso);
const DAY = 86_400_000;

describe('why a person holds no valid certificate', () => {
  const now = at('2026-05-10T04:00:00Z');

  it('says missing when there is no current certificate', () => {
    expect(certificateProblem(null, now)).toEqual({ reason: 'CERTIFICATE_MISSING' });
  });

  it('says expired, with the expiry date, for an expired certificate or an active one past its expiry', () => {
    const expiresAt = at('2026-05-01T00:00:00Z');
    expect(certificateProblem({ serial: 'S1', effectiveStatus: 'expired', expiresAt, revokedAt: null }, now)).toEqual({ reason: 'CERTIFICATE_EXPIRED', serial: 'S1', at: expiresAt });
    expect(certificateProblem({ serial: 'S1', effectiveStatus: 'active', expiresAt, revokedAt: null }, now)).toEqual({ reason: 'CERTIFICATE_EXPIRED', serial: 'S1', at: expiresAt });
  });

  it('says revoked with the revocation date, even when the certificate would also have expired', () => {
    const revokedAt = at('2026-04-20T08:00:00Z');
    expect(certificateProblem({ serial: 'S2', effectiveStatus: 'revoked', expiresAt: at('2026-01-01T00:00:00Z'), revokedAt }, now)).toEqual({ reason: 'CERTIFICATE_REVOKED', serial: 'S2', at: revokedAt });
  });

  it('maps each problem to the withdrawal reason kept on the grant', () => {
    expect(withdrawalReasonOf({ reason: 'CERTIFICATE_MISSING' })).toBe('certificate_missing');
    expect(withdrawalReasonOf({ reason: 'CERTIFICATE_EXPIRED', serial: 'S', at: now })).toBe('certificate_expired');
    expect(withdrawalReasonOf({ reason: 'CERTIFICATE_REVOKED', serial: 'S', at: now })).toBe('certificate_revoked');
  });
});

describe("a member's certificate standing on the staff page", () => {
  const now = at('2026-05-10T00:00:00Z');
  it('is active beyond 60 days, expiring within 60 days, expired past its expiry', () => {
    expect(memberStanding({ effectiveStatus: 'active', expiresAt: new Date(now.getTime() + 61 * DAY) }, now)).toBe('active');
    expect(memberStanding({ effectiveStatus: 'active', expiresAt: new Date(now.getTime() + 60 * DAY) }, now)).toBe('expiring');
    expect(memberStanding({ effectiveStatus: 'active', expiresAt: new Date(now.getTime() + 1000) }, now)).toBe('expiring');
    expect(memberStanding({ effectiveStatus: 'active', expiresAt: now }, now)).toBe('expired');
  });
  it('is revoked, expired or none as the certificate says', () => {
    expect(memberStanding({ effectiveStatus: 'revoked', expiresAt: new Date(now.getTime() + 400 * DAY) }, now)).toBe('revoked');
    expect(memberStanding({ effectiveStatus: 'expired', expiresAt: new Date(now.getTime() - DAY) }, now)).toBe('expired');
    expect(memberStanding(null, now)).toBe('none');
  });
});

describe('the grant life cycle', () => {
  it('withdraws and revokes only active grants', () => {
    expect(grantTransition('active', 'withdraw')).toBe('withdrawn');
    expect(grantTransition('active', 'revoke')).toBe('revoked_by_staff');
    expect(grantTransition('withdrawn', 'withdraw')).toBeNull();
    expect(grantTransition('revoked_by_staff', 'revoke')).toBeNull();
  });
  it('reinstates only withdrawn grants (a staff revocation is undone by a new grant)', () => {
    expect(grantTransition('withdrawn', 'reinstate')).toBe('active');
    expect(grantTransition('revoked_by_staff', 'reinstate')).toBeNull();
    expect(grantTransition('active', 'reinstate')).toBeNull();
  });
});

describe('delivery dates', () => {
  it('reads a date as the start of that day in China time, and ISO instants as given', () => {
    expect(parseDeliveredAt('2026-03-18')?.toISOString()).toBe('2026-03-17T16:00:00.000Z');
    expect(parseDeliveredAt('2026-03-18T09:30')?.toISOString()).toBe('2026-03-18T01:30:00.000Z');
    expect(parseDeliveredAt('2026-03-18T09:30:00Z')?.toISOString()).toBe('2026-03-18T09:30:00.000Z');
  });
  it('refuses what is not a date, or a day that does not exist', () => {
    expect(parseDeliveredAt('18/03/2026')).toBeNull();
    expect(parseDeliveredAt('2026-02-31')).toBeNull();
    expect(parseDeliveredAt(42)).toBeNull();
  });
  it('allows back-filling from the start of the same calendar day a year ago (China time)', () => {
    const now = at('2026-03-10T02:00:00Z'); // 10:00 on 10 March in China
    expect(chinaDay(backfillEarliest(now))).toBe('2025-03-10');
    expect(deliveredAtProblem(parseDeliveredAt('2025-03-10')!, now)).toBeNull();
    expect(deliveredAtProblem(parseDeliveredAt('2025-03-09')!, now)).toEqual({ code: 'DELIVERED_TOO_OLD', earliest: '2025-03-10' });
    // 29 February falls back to 28 February.
    expect(chinaDay(backfillEarliest(at('2028-02-29T04:00:00Z')))).toBe('2027-02-28');
  });
  it('refuses the future beyond a few minutes of clock skew; today is fine', () => {
    const now = at('2026-03-10T02:00:00Z');
    expect(deliveredAtProblem(parseDeliveredAt('2026-03-10')!, now)).toBeNull();
    expect(deliveredAtProblem(new Date(now.getTime() + 60_000), now)).toBeNull();
    expect(deliveredAtProblem(parseDeliveredAt('2026-03-11')!, now)).toEqual({ code: 'DELIVERED_IN_FUTURE', today: '2026-03-10' });
  });
});
