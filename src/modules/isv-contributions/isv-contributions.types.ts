/**
 * ISV submissions: ecosystem contributions (training, case studies, events, mentoring) and
 * co-built products. Both share one life cycle and one review queue, so most code treats them as
 * a `Submission` with a `type`; contributions have a kind and a title, products a name.
 */
export const CONTRIBUTION_KINDS = ['training', 'case_study', 'event', 'mentoring'] as const;
export type ContributionKind = (typeof CONTRIBUTION_KINDS)[number];

export const SUBMISSION_TYPES = ['contribution', 'product'] as const;
export type SubmissionType = (typeof SUBMISSION_TYPES)[number];

export const SUBMISSION_STATUSES = ['submitted', 'approved', 'rejected', 'withdrawn'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

/** Kinds in the review queue filter: the four contribution kinds, and co-built products. */
export const QUEUE_KINDS = [...CONTRIBUTION_KINDS, 'product'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

export type EvidenceItem =
  | { type: 'url'; url: string }
  | { type: 'file'; fileId: string; filename: string; contentType: string; sizeBytes: number };

export interface Submission {
  type: SubmissionType;
  id: string;
  organisationId: string;
  organisationName: string;
  /** Contributions only; null for products. */
  kind: ContributionKind | null;
  /** A contribution's title or a product's name. */
  title: string;
  description: string;
  evidence: EvidenceItem[];
  occurredAt: Date;
  status: SubmissionStatus;
  submittedBy: string;
  submittedByName: string;
  submittedAt: Date;
  approvedAt: Date | null;
  reviewedBy: string | null;
  reviewedByName: string | null;
  reviewedAt: Date | null;
  reviewNote: string | null;
  withdrawnAt: Date | null;
  resubmissionOfId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An uploaded evidence file before it is stored: checked by the rules, then written with the record. */
export interface EvidenceUpload {
  filename: string;
  content: Buffer;
}

/** A stored evidence file, with the record it belongs to (for the permission check on download). */
export interface EvidenceFile {
  id: string;
  organisationId: string;
  submissionType: SubmissionType;
  submissionId: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  content: Buffer;
}

export interface SubmissionInput {
  kind?: ContributionKind;
  title: string;
  description: string;
  occurredAt: Date;
  evidenceUrls: string[];
  files: EvidenceUpload[];
}

export interface SubmissionChanges {
  kind?: ContributionKind;
  title?: string;
  description?: string;
  occurredAt?: Date;
  /** Replaces the URL evidence when given. */
  evidenceUrls?: string[];
  /** Added to the files already attached. */
  files?: EvidenceUpload[];
  /** Ids of attached files to remove. */
  removeFileIds?: string[];
}

export interface SubmissionFilter {
  organisationId?: string;
  status?: SubmissionStatus;
  kind?: QueueKind;
}

/** One line of a record's review history (from the audit log and the resubmission chain). */
export interface HistoryEntry {
  at: Date;
  action: string;
  actorLabel: string | null;
  note: string | null;
}
