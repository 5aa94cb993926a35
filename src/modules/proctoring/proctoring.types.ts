import type { AttemptState } from '../exams/domain/attempt-state';
import type { LocalizedText } from '../question-banks/domain/question';

export interface PersonRef {
  id: string;
  name: string;
  email: string;
}

export interface Sitting {
  id: string;
  examId: string;
  examTitle: LocalizedText;
  examMode: 'practice' | 'certification';
  examStatus: 'draft' | 'published' | 'archived';
  timeLimitSeconds: number;
  title: string;
  opensAt: Date;
  closesAt: Date;
  capacity: number;
  accessCode: string;
  autoAdmit: boolean;
  staggerSeconds: number;
  createdAt: Date;
  /** registrations that hold a seat (every attempt in the sitting except withdrawn ones) */
  registered: number;
  proctors: PersonRef[];
}

export type SittingPhase = 'upcoming' | 'open' | 'closed';
export const SITTING_FILTERS = ['current', 'upcoming', 'open', 'closed'] as const;
export type SittingFilter = (typeof SITTING_FILTERS)[number];

export interface SittingInput {
  examId: string;
  title: string;
  opensAt: Date;
  closesAt: Date;
  capacity: number;
  accessCode: string | null;
  autoAdmit: boolean;
  staggerSeconds: number;
  proctorIds: string[];
}

/** What a proctor records when checking a candidate's identity before admitting them. */
export const ID_DOCUMENT_TYPES = ['resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'foreign_permanent_resident', 'other'] as const;
export type IdDocumentType = (typeof ID_DOCUMENT_TYPES)[number];

export interface IdentityCheck {
  documentType: IdDocumentType;
  documentLast4: string;
  note: string | null;
  checkedBy: string;
  checkedByName: string;
  checkedAt: string;
}

/** One attempt as the proctor console shows it (one row per candidate in the sitting). */
export interface ConsoleRow {
  id: string;
  sittingId: string;
  userId: string;
  name: string;
  email: string;
  organisation: string | null;
  state: AttemptState;
  registeredAt: Date;
  admittedAt: Date | null;
  identityCheck: IdentityCheck | null;
  notBefore: Date | null;
  startedAt: Date | null;
  deadlineAt: Date | null;
  pausedAt: Date | null;
  addedSeconds: number;
  submittedAt: Date | null;
  flagged: boolean;
  flagReasons: string[];
  lastSeenAt: Date | null;
  timeMultiplier: number;
  answered: number;
  total: number;
  signals: number;
}

export interface ReviewRow {
  attemptId: string;
  state: AttemptState;
  candidateName: string;
  candidateEmail: string;
  organisation: string | null;
  examTitle: LocalizedText;
  passMarkPercent: number;
  sittingId: string | null;
  sittingTitle: string | null;
  submittedAt: Date | null;
  scorePercent: number | null;
  passed: boolean | null;
  flagReasons: string[];
}

export interface ReviewAttempt extends ReviewRow {
  examId: string;
  userId: string;
  organisationId: string | null;
  scorePoints: number | null;
  maxPoints: number | null;
  identityCheck: IdentityCheck | null;
  startedAt: Date | null;
  deadlineAt: Date | null;
  addedSeconds: number;
  answeredCount: number | null;
  decidedAt: Date | null;
}

export type AppealStatus = 'open' | 'upheld' | 'rejected';

export interface Appeal {
  id: string;
  attemptId: string;
  reason: string;
  status: AppealStatus;
  resolution: string | null;
  resolvedBy: string | null;
  resolvedByName: string | null;
  createdAt: Date;
  resolvedAt: Date | null;
}

export interface AppealRow extends Appeal {
  candidateName: string;
  candidateEmail: string;
  examTitle: LocalizedText;
  attemptState: AttemptState;
}

/** A candidate's own certification attempt, for their sittings page. */
export interface MyRegistration {
  attemptId: string;
  state: AttemptState;
  sittingId: string;
  sittingTitle: string;
  examId: string;
  examTitle: LocalizedText;
  opensAt: Date;
  closesAt: Date;
  autoAdmit: boolean;
  notBefore: Date | null;
  registeredAt: Date;
  appealStatus: AppealStatus | null;
}

export interface EssayQueueRow {
  attemptId: string;
  itemId: string;
  position: number;
  points: number;
  questionVersionId: string;
  response: unknown;
  submittedAt: Date | null;
  examTitle: LocalizedText;
}
