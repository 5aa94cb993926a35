import { CERTIFICATE_TRANSITIONS, effectiveStatus, nextStatus, statusesAllowing } from '../../../src/modules/certificates/domain/certificate-state';
import { certificationExamAccess } from '../../../src/modules/certificates/domain/exam-access';
import { isRenewalExam } from '../../../src/modules/certificates/domain/programme';
import { formatSerial, parseSerial } from '../../../src/modules/certificates/domain/serial';
import { addMonths, daysUntil, dueReminder, insideRenewalWindow, planValidity, renewalWindowOpensAt } from '../../../src/modules/certificates/domain/validity';
import { CERTIFICATE_STATUSES } from '../../../src/modules/certificates/certificates.types';

const d = (iso: string) => new Date(iso);
const DAY = 86_400_000;

describe('certificate state table', () => {
  it('lets an active certificate expire, be revoked or be superseded', () => {
    expect(nextStatus('active', 'expire')).toBe('expired');
    expect(nextStatus('active', 'revoke')).toBe('revoked');
    expect(nextStatus('active', 'supersede')).toBe('superseded');
  });

  it('keeps revoked final', () => {
    expect(nextStatus('revoked', 'revoke')).toBeNull();
    expect(nextStatus('revoked', 'expire')).toBeNull();
    expect(nextStatus('revoked', 'supersede')).toBeNull();
  });

  it('revokes expired and superseded certificates (an invalidated attempt must show publicly whatever the state)', () => {
    expect(nextStatus('expired', 'revoke')).toBe('revoked');
    expect(nextStatus('superseded', 'revoke')).toBe('revoked');
  });

  it('never expires or supersedes twice', () => {
    expect(nextStatus('expired', 'expire')).toBeNull();
    expect(nextStatus('superseded', 'supersede')).toBeNull();
    expect(nextStatus('superseded', 'expire')).toBeNull();
  });

  it('lets a renewal supersede a certificate the daily job has expired meanwhile', () => {
    expect(nextStatus('expired', 'supersede')).toBe('superseded');
  });

  it('lists, per event, exactly the states the table allows it from', () => {
    expect(statusesAllowing('expire')).toEqual(['active']);
    expect(statusesAllowing('revoke').sort()).toEqual(['active', 'expired', 'superseded']);
    expect(statusesAllowing('supersede').sort()).toEqual(['active', 'expired']);
  });

  it('has a row for every status and only known target states', () => {
    expect(Object.keys(CERTIFICATE_TRANSITIONS).sort()).toEqual([...CERTIFICATE_STATUSES].sort());
    for (const row of Object.values(CERTIFICATE_TRANSITIONS)) for (const to of Object.values(row)) expect(CERTIFICATE_STATUSES).toContain(to);
  });

  it('reads an active certificate past its expiry as expired before the job runs', () => {
    expect(effectiveStatus('active', true)).toBe('expired');
    expect(effectiveStatus('active', false)).toBe('active');
    expect(effectiveStatus('revoked', true)).toBe('revoked');
    expect(effectiveStatus('superseded', true)).toBe('superseded');
  });
});

describe('serial numbers', () => {
  it('formats TMIC-NPP-<year>-<6 digits>', () => {
    expect(formatSerial(2026, 123)).toBe('TMIC-NPP-2026-000123');
    expect(formatSerial(2026, 1)).toBe('TMIC-NPP-2026-000001');
    expect(formatSerial(2027, 999999)).toBe('TMIC-NPP-2027-999999');
  });

  it('grows past six digits instead of wrapping', () => {
    expect(formatSerial(2026, 1_000_000)).toBe('TMIC-NPP-2026-1000000');
  });

  it('refuses nonsense', () => {
    expect(() => formatSerial(26, 1)).toThrow(RangeError);
    expect(() => formatSerial(2026, 0)).toThrow(RangeError);
    expect(() => formatSerial(2026, 1.5)).toThrow(RangeError);
  });

  it('parses serials back, and rejects other text', () => {
    expect(parseSerial('TMIC-NPP-2026-000123')).toEqual({ year: 2026, sequence: 123 });
    expect(parseSerial(' tmic-npp-2026-000123 ')).toEqual({ year: 2026, sequence: 123 });
    expect(parseSerial('TMIC-NPP-2026-123')).toBeNull();
    expect(parseSerial('hello')).toBeNull();
  });
});

describe('validity and renewal dates', () => {
  it('adds calendar months in UTC', () => {
    expect(addMonths(d('2026-03-15T08:30:00Z'), 24).toISOString()).toBe('2028-03-15T08:30:00.000Z');
    expect(addMonths(d('2026-11-30T00:00:00Z'), 3).toISOString()).toBe('2027-02-28T00:00:00.000Z');
  });

  it('clamps to the last day of a shorter month (31 Jan + 1 month = 29 Feb in a leap year)', () => {
    expect(addMonths(d('2028-01-31T12:00:00Z'), 1).toISOString()).toBe('2028-02-29T12:00:00.000Z');
    expect(addMonths(d('2026-08-31T00:00:00Z'), 1).toISOString()).toBe('2026-09-30T00:00:00.000Z');
  });

  it('opens the renewal window `windowDays` before expiry and closes it at expiry', () => {
    const expires = d('2026-12-31T00:00:00Z');
    expect(renewalWindowOpensAt(expires, 90).toISOString()).toBe('2026-10-02T00:00:00.000Z');
    expect(insideRenewalWindow(expires, d('2026-10-01T23:59:59Z'), 90)).toBe(false);
    expect(insideRenewalWindow(expires, d('2026-10-02T00:00:00Z'), 90)).toBe(true);
    expect(insideRenewalWindow(expires, expires, 90)).toBe(true);
    expect(insideRenewalWindow(expires, d('2026-12-31T00:00:01Z'), 90)).toBe(false);
  });

  it('counts a first certificate from its issue date', () => {
    const plan = planValidity({ issuedAt: d('2026-05-10T00:00:00Z'), validityMonths: 24, windowDays: 90, submittedAt: d('2026-05-09T00:00:00Z'), predecessor: null });
    expect(plan).toEqual({ kind: 'first', supersedesId: null, expiresAt: d('2028-05-10T00:00:00Z') });
  });

  it('counts a renewal inside the window from the old expiry (new expiry = old expiry + validity), superseding the old one', () => {
    const plan = planValidity({
      issuedAt: d('2026-11-01T00:00:00Z'),
      validityMonths: 24,
      windowDays: 90,
      submittedAt: d('2026-10-31T10:00:00Z'),
      predecessor: { id: 'old', status: 'active', expiresAt: d('2026-12-15T00:00:00Z') },
    });
    expect(plan).toEqual({ kind: 'renewal', supersedesId: 'old', expiresAt: d('2028-12-15T00:00:00Z') });
  });

  it('still renews when the pass was held for review past the old expiry (judged by submission time)', () => {
    const plan = planValidity({
      issuedAt: d('2026-12-20T00:00:00Z'),
      validityMonths: 12,
      windowDays: 90,
      submittedAt: d('2026-12-10T00:00:00Z'),
      predecessor: { id: 'old', status: 'expired', expiresAt: d('2026-12-15T00:00:00Z') },
    });
    expect(plan).toEqual({ kind: 'renewal', supersedesId: 'old', expiresAt: d('2027-12-15T00:00:00Z') });
  });

  it('replaces, from the issue date, an active certificate when the exam was sat before the window', () => {
    const plan = planValidity({
      issuedAt: d('2026-01-10T00:00:00Z'),
      validityMonths: 24,
      windowDays: 90,
      submittedAt: d('2026-01-09T00:00:00Z'),
      predecessor: { id: 'old', status: 'active', expiresAt: d('2027-06-01T00:00:00Z') },
    });
    expect(plan).toEqual({ kind: 'replacement', supersedesId: 'old', expiresAt: d('2028-01-10T00:00:00Z') });
  });

  it('starts afresh after a revoked certificate or one that lapsed before the exam', () => {
    const base = { issuedAt: d('2027-03-01T00:00:00Z'), validityMonths: 24, windowDays: 90, submittedAt: d('2027-02-28T00:00:00Z') };
    expect(planValidity({ ...base, predecessor: { id: 'r', status: 'revoked', expiresAt: d('2027-04-01T00:00:00Z') } }).kind).toBe('first');
    expect(planValidity({ ...base, predecessor: { id: 'e', status: 'expired', expiresAt: d('2027-01-01T00:00:00Z') } })).toEqual({
      kind: 'first',
      supersedesId: null,
      expiresAt: d('2029-03-01T00:00:00Z'),
    });
  });
});

describe('expiry reminders', () => {
  const expires = d('2026-12-31T00:00:00Z');
  const at = (daysLeft: number) => new Date(expires.getTime() - daysLeft * DAY);

  it('is due at 60, 30 and 7 days before expiry', () => {
    expect(dueReminder(expires, at(61))).toBeNull();
    expect(dueReminder(expires, at(60))).toBe(60);
    expect(dueReminder(expires, at(45))).toBe(60);
    expect(dueReminder(expires, at(30))).toBe(30);
    expect(dueReminder(expires, at(8))).toBe(30);
    expect(dueReminder(expires, at(7))).toBe(7);
    expect(dueReminder(expires, at(0.5))).toBe(7);
  });

  it('sends nothing once expired', () => {
    expect(dueReminder(expires, at(0))).toBeNull();
    expect(dueReminder(expires, at(-1))).toBeNull();
  });

  it('rounds days left up', () => {
    expect(daysUntil(expires, at(6.4))).toBe(7);
    expect(daysUntil(expires, at(-3))).toBe(0);
  });
});

describe('who may take which certification exam', () => {
  const now = d('2026-06-01T00:00:00Z');
  const active = (expiresAt: string) => ({ status: 'active' as const, expiresAt: d(expiresAt) });

  it('leaves practice exams alone', () => {
    expect(certificationExamAccess({ examMode: 'practice', renewalExam: false, current: active('2027-01-01T00:00:00Z'), now, windowDays: 90 })).toBeNull();
  });

  it('lets anyone without a valid certificate take the certification exam', () => {
    expect(certificationExamAccess({ examMode: 'certification', renewalExam: false, current: null, now, windowDays: 90 })).toBeNull();
    expect(certificationExamAccess({ examMode: 'certification', renewalExam: false, current: { status: 'revoked', expiresAt: d('2027-01-01T00:00:00Z') }, now, windowDays: 90 })).toBeNull();
    expect(certificationExamAccess({ examMode: 'certification', renewalExam: false, current: active('2026-05-01T00:00:00Z'), now, windowDays: 90 })).toBeNull();
  });

  it('tells a holder outside the window when renewal opens', () => {
    expect(certificationExamAccess({ examMode: 'certification', renewalExam: false, current: active('2027-06-01T00:00:00Z'), now, windowDays: 90 })).toEqual({
      code: 'ALREADY_CERTIFIED',
      retryAt: d('2027-03-03T00:00:00Z'),
    });
    expect(certificationExamAccess({ examMode: 'certification', renewalExam: true, current: active('2027-06-01T00:00:00Z'), now, windowDays: 90 })).toEqual({
      code: 'RENEWAL_NOT_OPEN',
      retryAt: d('2027-03-03T00:00:00Z'),
    });
  });

  it('opens the renewal exam to holders inside the window only', () => {
    expect(certificationExamAccess({ examMode: 'certification', renewalExam: true, current: active('2026-07-01T00:00:00Z'), now, windowDays: 90 })).toBeNull();
    expect(certificationExamAccess({ examMode: 'certification', renewalExam: true, current: null, now, windowDays: 90 })).toEqual({ code: 'NO_CERTIFICATE_TO_RENEW', retryAt: null });
    expect(certificationExamAccess({ examMode: 'certification', renewalExam: true, current: active('2026-05-01T00:00:00Z'), now, windowDays: 90 })?.code).toBe('NO_CERTIFICATE_TO_RENEW');
  });

  it('knows the shipped renewal exam by its key', () => {
    expect(isRenewalExam('tmic-planner-renewal')).toBe(true);
    expect(isRenewalExam('tmic-planner-certification')).toBe(false);
    expect(isRenewalExam(null)).toBe(false);
  });
});
