/**
 * The rules of ISV submissions as pure functions (unit-tested without Nest or a database):
 * the life cycle, the backfill window for `occurredAt`, and what counts as evidence.
 */
import { backfillProblem, parseChinaDateTime } from '../../infra/time/china-time';
import { createHash } from 'node:crypto';
import type { SubmissionStatus } from './isv-contributions.types';

export { backfillEarliest, BACKFILL_MONTHS, chinaDay, FUTURE_TOLERANCE_MS } from '../../infra/time/china-time';

// ---- life cycle --------------------------------------------------------------------------------

export const SUBMISSION_ACTIONS = ['edit', 'withdraw', 'approve', 'reject'] as const;
export type SubmissionAction = (typeof SUBMISSION_ACTIONS)[number];

/**
 * The one table of allowed transitions. Everything happens while `submitted`; approved, rejected
 * and withdrawn are final (a rejected or withdrawn record is resubmitted as a new record, so the
 * reviewed text never changes under its decision).
 */
const TRANSITIONS: Record<SubmissionAction, { from: readonly SubmissionStatus[]; to: SubmissionStatus }> = {
  edit: { from: ['submitted'], to: 'submitted' },
  withdraw: { from: ['submitted'], to: 'withdrawn' },
  approve: { from: ['submitted'], to: 'approved' },
  reject: { from: ['submitted'], to: 'rejected' },
};

/** The status after `action`, or null when the action is not allowed from `status`. */
export function nextStatus(status: SubmissionStatus, action: SubmissionAction): SubmissionStatus | null {
  const rule = TRANSITIONS[action];
  return rule.from.includes(status) ? rule.to : null;
}

/** A rejected or withdrawn record may be submitted again, as a new record that points back at it. */
export function mayResubmit(status: SubmissionStatus): boolean {
  return status === 'rejected' || status === 'withdrawn';
}

// ---- backfill window (shared with project deliveries: infra/time/china-time.ts) --------------

export type OccurredAtProblem = { code: 'OCCURRED_TOO_OLD'; earliest: string } | { code: 'OCCURRED_IN_FUTURE'; today: string };

/** Null when `occurredAt` may be recorded at `now`: not in the future, at most 12 months back. */
export function occurredAtProblem(occurredAt: Date, now: Date): OccurredAtProblem | null {
  const problem = backfillProblem(occurredAt, now);
  if (!problem) return null;
  return problem.kind === 'too_old' ? { code: 'OCCURRED_TOO_OLD', earliest: problem.earliest } : { code: 'OCCURRED_IN_FUTURE', today: problem.today };
}

/** `occurredAt` as typed (see parseChinaDateTime). */
export const parseOccurredAt = parseChinaDateTime;

// ---- evidence ----------------------------------------------------------------------------------

export const MAX_EVIDENCE_URLS = 10;
export const MAX_URL_LENGTH = 2000;
export const MAX_EVIDENCE_FILES = 5;
/** Per file. Evidence is a document or a screenshot, not a video; the table allows at most 10 MiB. */
export const MAX_EVIDENCE_FILE_BYTES = 5 * 1024 * 1024;

export type UrlProblem = { code: 'EVIDENCE_URL_INVALID'; url: string } | { code: 'TOO_MANY_URLS'; max: number };

/** Trimmed, de-duplicated http(s) URLs, or the first problem. */
export function normaliseEvidenceUrls(urls: readonly string[]): { urls: string[] } | { problem: UrlProblem } {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const raw of urls) {
    const text = raw.trim();
    if (!text) continue;
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      return { problem: { code: 'EVIDENCE_URL_INVALID', url: text.slice(0, 200) } };
    }
    if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname || text.length > MAX_URL_LENGTH || parsed.username || parsed.password) {
      return { problem: { code: 'EVIDENCE_URL_INVALID', url: text.slice(0, 200) } };
    }
    const normal = parsed.toString();
    if (seen.has(normal)) continue;
    seen.add(normal);
    result.push(normal);
  }
  if (result.length > MAX_EVIDENCE_URLS) return { problem: { code: 'TOO_MANY_URLS', max: MAX_EVIDENCE_URLS } };
  return { urls: result };
}

/** Splits a textarea of URLs (one per line, or separated by spaces or commas). */
export function splitUrlList(text: string): string[] {
  return text
    .split(/[\s,，]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export const EVIDENCE_FILE_TYPES = {
  pdf: { contentType: 'application/pdf', extensions: ['pdf'] },
  png: { contentType: 'image/png', extensions: ['png'] },
  jpeg: { contentType: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
  webp: { contentType: 'image/webp', extensions: ['webp'] },
  docx: { contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['docx'] },
  pptx: { contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', extensions: ['pptx'] },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extensions: ['xlsx'] },
} as const;
export type EvidenceFileType = keyof typeof EVIDENCE_FILE_TYPES;
export const ACCEPTED_EXTENSIONS = Object.values(EVIDENCE_FILE_TYPES).flatMap((t) => [...t.extensions]);

/** What the bytes are, by their signature (the declared content type and the name are not trusted). */
export function sniffFileType(content: Buffer, extension: string): EvidenceFileType | null {
  const starts = (bytes: number[], at = 0) => content.length >= at + bytes.length && bytes.every((b, i) => content[at + i] === b);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  // Office Open XML is a zip with a [Content_Types].xml part; which of the three it is, the name says.
  if (starts([0x50, 0x4b, 0x03, 0x04]) && content.includes('[Content_Types].xml')) {
    if (extension === 'docx' || extension === 'pptx' || extension === 'xlsx') return extension;
  }
  return null;
}

/** A file name safe to store and send back: no directories, no control characters, at most 200 characters. */
export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  if (cleaned.length <= 200) return cleaned || 'evidence';
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, 200 - ext.length) + ext;
}

export type FileProblem =
  | { code: 'EVIDENCE_FILE_EMPTY'; filename: string }
  | { code: 'EVIDENCE_FILE_TOO_LARGE'; filename: string; maxMb: number }
  | { code: 'EVIDENCE_FILE_TYPE'; filename: string; accepted: string };

export interface CheckedFile {
  filename: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  content: Buffer;
}

/** An upload that may be stored, or why not. */
export function checkEvidenceFile(filename: string, content: Buffer): { file: CheckedFile } | { problem: FileProblem } {
  const name = safeFilename(filename);
  if (content.length === 0) return { problem: { code: 'EVIDENCE_FILE_EMPTY', filename: name } };
  if (content.length > MAX_EVIDENCE_FILE_BYTES) return { problem: { code: 'EVIDENCE_FILE_TOO_LARGE', filename: name, maxMb: MAX_EVIDENCE_FILE_BYTES / (1024 * 1024) } };
  const dot = name.lastIndexOf('.');
  const extension = dot >= 0 ? name.slice(dot + 1).toLowerCase() : '';
  const type = sniffFileType(content, extension);
  if (!type || !(EVIDENCE_FILE_TYPES[type].extensions as readonly string[]).includes(extension)) {
    return { problem: { code: 'EVIDENCE_FILE_TYPE', filename: name, accepted: ACCEPTED_EXTENSIONS.join(', ') } };
  }
  return {
    file: { filename: name, contentType: EVIDENCE_FILE_TYPES[type].contentType, sizeBytes: content.length, sha256: createHash('sha256').update(content).digest('hex'), content },
  };
}

/** Images and PDFs open in the browser; office documents download. */
export function isInlineType(contentType: string): boolean {
  return contentType === 'application/pdf' || contentType.startsWith('image/');
}
