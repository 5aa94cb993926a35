/** How records leave the module: JSON for the API, and the small conversions both faces share. */
import type { FastifyRequest } from 'fastify';
import { Page } from '../../infra/http/pagination';
import { IsvContributionsError } from './isv-contributions.errors';
import { EvidenceItem, EvidenceUpload, HistoryEntry, Submission, SubmissionType } from './isv-contributions.types';
import { submissionUrl, SubmissionDetail } from './isv-contributions.service';
import type { EvidenceFileDto } from './dto/isv-contributions.dto';

export const metaOf = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

/** Decodes files sent as base64 in JSON. */
export function uploadsOf(files: EvidenceFileDto[] | undefined): EvidenceUpload[] {
  return (files ?? []).map((f) => {
    const content = Buffer.from(f.contentBase64.replace(/\s+/g, ''), 'base64');
    if (content.length === 0 && f.contentBase64.trim()) throw new IsvContributionsError('EVIDENCE_FILE_BASE64', { filename: f.filename });
    return { filename: f.filename, content };
  });
}

const evidenceJson = (items: EvidenceItem[]) =>
  items.map((e) =>
    e.type === 'url'
      ? { type: 'url' as const, url: e.url }
      : { type: 'file' as const, id: e.fileId, filename: e.filename, contentType: e.contentType, sizeBytes: e.sizeBytes, downloadUrl: `/api/v1/evidence-files/${e.fileId}` },
  );

/** A record as the API shows it: contributions have `kind` and `title`, products a `name`. */
export function submissionJson(s: Submission) {
  const common = {
    id: s.id,
    isvId: s.organisationId,
    isvName: s.organisationName,
    description: s.description,
    evidence: evidenceJson(s.evidence),
    occurredAt: s.occurredAt,
    status: s.status,
    submittedBy: { id: s.submittedBy, name: s.submittedByName },
    submittedAt: s.submittedAt,
    approvedAt: s.approvedAt,
    reviewedBy: s.reviewedBy ? { id: s.reviewedBy, name: s.reviewedByName } : null,
    reviewedAt: s.reviewedAt,
    reviewNote: s.reviewNote,
    withdrawnAt: s.withdrawnAt,
    resubmissionOf: s.resubmissionOfId,
    updatedAt: s.updatedAt,
    pageUrl: submissionUrl(s.type, s.id),
  };
  return s.type === 'contribution' ? { type: s.type, kind: s.kind, title: s.title, ...common } : { type: s.type, name: s.title, ...common };
}

export function pageJson(page: Page<Submission>) {
  return { ...page, items: page.items.map(submissionJson) };
}

export function detailJson(detail: SubmissionDetail) {
  return {
    ...submissionJson(detail.submission),
    history: detail.history.map((h: HistoryEntry) => ({ at: h.at, action: h.action, actor: h.actorLabel, note: h.note })),
    resubmissions: detail.chain.map((c) => ({ id: c.id, status: c.status, submittedAt: c.submittedAt, reviewNote: c.reviewNote })),
  };
}

export const COLLECTION: Record<SubmissionType, string> = { contribution: 'contributions', product: 'products' };
