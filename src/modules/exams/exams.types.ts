import type { LocalizedText } from '../question-banks/domain/question';
import type { AttemptState } from './domain/attempt-state';
import type { IntegrityThresholds } from './domain/integrity';

export type ExamMode = 'practice' | 'certification';
export type ReviewPolicy = 'nothing' | 'score' | 'breakdown' | 'responses';

export interface Exam {
  id: string;
  key: string | null;
  title: LocalizedText;
  description: LocalizedText | null;
  mode: ExamMode;
  status: 'draft' | 'published' | 'archived';
  /** stored in seconds so tests can use short limits; pages show minutes */
  timeLimitSeconds: number;
  passMarkPercent: number;
  attemptsAllowed: number | null;
  cooldownHours: number;
  requiresCourse: boolean;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  reviewPolicy: ReviewPolicy;
  reviewFrom: 'graded' | 'sitting_closed';
  validityMonths: number | null;
  graceSeconds: number;
  integrityThresholds: IntegrityThresholds;
  publishedAt: Date | null;
}

export interface ExamSection {
  id: string;
  examId: string;
  position: number;
  title: LocalizedText;
  bankId: string | null;
  tags: string[];
  types: string[];
  difficulties: number[];
  questionCount: number;
  pointsEach: number;
}

export interface Attempt {
  id: string;
  examId: string;
  userId: string;
  sittingId: string | null;
  state: AttemptState;
  seed: number;
  timeMultiplier: number;
  startedAt: Date | null;
  deadlineAt: Date | null;
  pausedAt: Date | null;
  addedSeconds: number;
  submittedAt: Date | null;
  submittedBy: string | null;
  receiptSha256: string | null;
  answeredCount: number | null;
  scorePoints: number | null;
  maxPoints: number | null;
  scorePercent: number | null;
  passed: boolean | null;
  topicScores: { topic: string; points: number; max: number; percent: number }[] | null;
  flagged: boolean;
  flagReasons: string[];
  clientSession: string | null;
  lastIp: string | null;
  lastSeenAt: Date | null;
  notBefore: Date | null;
  createdAt: Date;
}

export interface AttemptItemRow {
  position: number;
  itemId: string;
  sectionId: string;
  questionId: string;
  questionVersionId: string;
  points: number;
  topic: string;
  response: unknown;
  seq: number;
  savedAt: Date | null;
  marked: boolean;
  credit: number | null;
  gradeStatus: string | null;
}

export interface Receipt {
  attemptId: string;
  submittedAt: string;
  answered: number;
  sha256: string;
}
