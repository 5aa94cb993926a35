import {
  backfillEarliest,
  checkEvidenceFile,
  chinaDay,
  MAX_EVIDENCE_FILE_BYTES,
  mayResubmit,
  nextStatus,
  normaliseEvidenceUrls,
  occurredAtProblem,
  parseOccurredAt,
  safeFilename,
  splitUrlList,
  SUBMISSION_ACTIONS,
} from '../../../src/modules/isv-contributions/submission-rules';
import { SUBMISSION_STATUSES } from '../../../src/modules/isv-contributions/isv-contributions.types';

const china = (text: string) => new Date(`${text}+08:00`);

describe('submission life cycle', () => {
  it('allows edit, withdraw, approve and reject only while submitted', () => {
    expect(nextStatus('submitted', 'edit')).toBe('submitted');
    expect(nextStatus('submitted', 'withdraw')).toBe('withdrawn');
    expect(nextStatus('submitted', 'approve')).toBe('approved');
    expect(nextStatus('submitted', 'reject')).toBe('rejected');
    for (const status of SUBMISSION_STATUSES.filter((s) => s !== 'submitted')) {
      for (const action of SUBMISSION_ACTIONS) expect(nextStatus(status, action)).toBeNull();
    }
  });

  it('resubmits only rejected or withdrawn records', () => {
    expect(mayResubmit('rejected')).toBe(true);
    expect(mayResubmit('withdrawn')).toBe(true);
    expect(mayResubmit('submitted')).toBe(false);
    expect(mayResubmit('approved')).toBe(false);
  });
});

describe('backfill window', () => {
  it('starts at the beginning of the same China-time day twelve months back', () => {
    expect(backfillEarliest(china('2026-03-15T10:00:00'))).toEqual(china('2025-03-15T00:00:00'));
    // 01:00 in China is still the previous day in UTC; the window follows the China day.
    expect(backfillEarliest(new Date('2026-03-14T17:00:00Z'))).toEqual(china('2025-03-15T00:00:00'));
  });

  it('falls back from 29 February to 28 February', () => {
    expect(backfillEarliest(china('2028-02-29T12:00:00'))).toEqual(china('2027-02-28T00:00:00'));
  });

  it('accepts a record dated exactly twelve months ago and refuses the day before, naming the earliest date', () => {
    const now = china('2026-03-15T10:00:00');
    expect(occurredAtProblem(china('2025-03-15T00:00:00'), now)).toBeNull();
    expect(occurredAtProblem(china('2025-03-14T23:59:59'), now)).toEqual({ code: 'OCCURRED_TOO_OLD', earliest: '2025-03-15' });
  });

  it('refuses the future beyond a few minutes of clock drift, naming today', () => {
    const now = china('2026-03-15T10:00:00');
    expect(occurredAtProblem(new Date(now.getTime() + 4 * 60_000), now)).toBeNull();
    expect(occurredAtProblem(new Date(now.getTime() + 6 * 60_000), now)).toEqual({ code: 'OCCURRED_IN_FUTURE', today: '2026-03-15' });
    expect(occurredAtProblem(china('2026-03-16T00:00:00'), now)?.code).toBe('OCCURRED_IN_FUTURE');
  });

  it('accepts today as a date', () => {
    const now = china('2026-03-15T00:30:00');
    expect(occurredAtProblem(parseOccurredAt(chinaDay(now))!, now)).toBeNull();
  });
});

describe('parseOccurredAt', () => {
  it('reads a date as the start of that day in China time', () => {
    expect(parseOccurredAt('2026-03-15')).toEqual(new Date('2026-03-14T16:00:00Z'));
  });

  it('reads datetime-local values as China time and ISO values with their offset', () => {
    expect(parseOccurredAt('2026-03-15T09:30')).toEqual(new Date('2026-03-15T01:30:00Z'));
    expect(parseOccurredAt('2026-03-15T09:30:00Z')).toEqual(new Date('2026-03-15T09:30:00Z'));
    expect(parseOccurredAt('2026-03-15T09:30:00+02:00')).toEqual(new Date('2026-03-15T07:30:00Z'));
  });

  it('refuses days that do not exist and text that is not a date', () => {
    for (const bad of ['2026-02-31', '2026-13-01', '15/03/2026', 'yesterday', '', '2026-03-15T25:00', 42]) expect(parseOccurredAt(bad)).toBeNull();
  });
});

describe('evidence links', () => {
  it('trims, removes duplicates and keeps http(s) links', () => {
    expect(normaliseEvidenceUrls([' https://example.com/case ', 'https://example.com/case', '', 'http://tmic.example/a?b=1'])).toEqual({
      urls: ['https://example.com/case', 'http://tmic.example/a?b=1'],
    });
  });

  it('refuses other schemes, credentials and text that is not a link', () => {
    for (const bad of ['javascript:alert(1)', 'ftp://example.com/x', 'https://user:pw@example.com/', 'www.example.com', 'not a url']) {
      expect(normaliseEvidenceUrls([bad])).toEqual({ problem: { code: 'EVIDENCE_URL_INVALID', url: bad } });
    }
  });

  it('refuses more than ten links', () => {
    const urls = Array.from({ length: 11 }, (_, i) => `https://example.com/${i}`);
    expect(normaliseEvidenceUrls(urls)).toEqual({ problem: { code: 'TOO_MANY_URLS', max: 10 } });
  });

  it('splits a textarea by lines, spaces and commas', () => {
    expect(splitUrlList('https://a.example/1\r\nhttps://b.example/2, https://c.example/3，https://d.example/4  ')).toEqual([
      'https://a.example/1',
      'https://b.example/2',
      'https://c.example/3',
      'https://d.example/4',
    ]);
  });
});

describe('evidence files', () => {
  const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n');
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  const docx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('....[Content_Types].xml....word/document.xml')]);
  const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('....payload.exe')]);

  it('accepts a PDF, an image and an Office document by their content, with a checksum', () => {
    const result = checkEvidenceFile('attendance.pdf', pdf);
    expect(result).toEqual({ file: expect.objectContaining({ filename: 'attendance.pdf', contentType: 'application/pdf', sizeBytes: pdf.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }) });
    expect(checkEvidenceFile('screen.PNG', png)).toEqual({ file: expect.objectContaining({ contentType: 'image/png' }) });
    expect(checkEvidenceFile('case.docx', docx)).toEqual({ file: expect.objectContaining({ contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }) });
  });

  it('refuses content that does not match the name or is not an accepted type', () => {
    expect(checkEvidenceFile('photo.jpg', png)).toEqual({ problem: expect.objectContaining({ code: 'EVIDENCE_FILE_TYPE', filename: 'photo.jpg' }) });
    expect(checkEvidenceFile('report.pdf', Buffer.from('<html><script>alert(1)</script>'))).toEqual({ problem: expect.objectContaining({ code: 'EVIDENCE_FILE_TYPE' }) });
    expect(checkEvidenceFile('case.docx', zip)).toEqual({ problem: expect.objectContaining({ code: 'EVIDENCE_FILE_TYPE' }) });
    expect(checkEvidenceFile('tool.exe', Buffer.from('MZ\x90\x00'))).toEqual({ problem: expect.objectContaining({ code: 'EVIDENCE_FILE_TYPE', accepted: expect.stringContaining('pdf') }) });
  });

  it('refuses empty files and files over the size limit', () => {
    expect(checkEvidenceFile('empty.pdf', Buffer.alloc(0))).toEqual({ problem: { code: 'EVIDENCE_FILE_EMPTY', filename: 'empty.pdf' } });
    const big = Buffer.concat([pdf, Buffer.alloc(MAX_EVIDENCE_FILE_BYTES)]);
    expect(checkEvidenceFile('big.pdf', big)).toEqual({ problem: { code: 'EVIDENCE_FILE_TOO_LARGE', filename: 'big.pdf', maxMb: 5 } });
  });

  it('keeps only a safe base name', () => {
    expect(safeFilename('C:\\Users\\me\\培训签到表.pdf')).toBe('培训签到表.pdf');
    expect(safeFilename('../../etc/"passwd"\u0000.pdf')).toBe('passwd.pdf');
    expect(safeFilename('')).toBe('evidence');
    const long = `${'a'.repeat(300)}.pdf`;
    expect(safeFilename(long)).toHaveLength(200);
    expect(safeFilename(long).endsWith('.pdf')).toBe(true);
  });
});
