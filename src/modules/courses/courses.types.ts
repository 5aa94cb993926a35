import { DEFAULT_LOCALE } from '../../infra/i18n/i18n';

/** Locale → text, e.g. `{ 'zh-CN': '数据银行', en: 'Data Bank' }`. */
export type LocalizedText = Record<string, string>;

export const COURSE_STATUSES = ['draft', 'published'] as const;
export type CourseStatus = (typeof COURSE_STATUSES)[number];

/** Where a row came from: files shipped with the app (upserted by key at start) or staff authoring. */
export type ContentOrigin = 'content' | 'authored';

export type EnrolmentOrigin = 'self' | 'assigned';

export type LessonStatus = 'not_started' | 'started' | 'completed';

/** A learner's standing in a course, as the staff table and "my learning" show it. */
export const LEARNING_STATUSES = ['not_enrolled', 'in_progress', 'completed', 'overdue'] as const;
export type LearningStatus = (typeof LEARNING_STATUSES)[number];

export interface Link {
  title: string;
  url: string;
}

/** The reader's language, else Chinese (the content's first language), else whatever exists. */
export function pickText(text: LocalizedText | null | undefined, locale: string): string {
  if (!text) return '';
  return text[locale] || text[DEFAULT_LOCALE] || Object.values(text).find((v) => v) || '';
}

export interface CourseRow {
  id: string;
  key: string;
  title: LocalizedText;
  summary: LocalizedText;
  status: CourseStatus;
  requiredForCertification: boolean;
  origin: ContentOrigin;
  publishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ModuleRow {
  id: string;
  courseId: string;
  key: string;
  title: LocalizedText;
  position: number;
  checkTags: string[];
  checkQuestions: number;
  origin: ContentOrigin;
  archivedAt: Date | null;
}

export interface LessonRow {
  id: string;
  courseId: string;
  moduleId: string;
  key: string;
  title: LocalizedText;
  /** only filled when asked for (reader, editor); see bodyLocales for which languages exist */
  body: LocalizedText;
  bodyLocales: string[];
  minutes: number;
  attachments: Link[];
  videos: Link[];
  position: number;
  origin: ContentOrigin;
  archivedAt: Date | null;
}

export interface EnrolmentRow {
  id: string;
  courseId: string;
  userId: string;
  origin: EnrolmentOrigin;
  assignedBy: string | null;
  assignedAt: Date | null;
  dueAt: Date | null;
  enrolledAt: Date;
  lastLessonId: string | null;
  lastActivityAt: Date | null;
  completedAt: Date | null;
}

export interface LessonProgressRow {
  lessonId: string;
  startedAt: Date;
  completedAt: Date | null;
  secondsSpent: number;
  lastSeenAt: Date;
}

export interface CheckSummary {
  moduleId: string;
  attempts: number;
  bestPercent: number | null;
  passedAt: Date | null;
}

/** What the progress endpoint answers (and every page's progress bar shows). */
export interface CourseProgress {
  completedLessons: number;
  totalLessons: number;
  percent: number;
  completedAt: Date | null;
}

export interface EnrolmentView {
  origin: EnrolmentOrigin;
  enrolledAt: Date;
  dueAt: Date | null;
  completedAt: Date | null;
  overdue: boolean;
  lastActivityAt: Date | null;
}

export interface CourseCard {
  id: string;
  key: string;
  title: string;
  summary: string;
  status: CourseStatus;
  requiredForCertification: boolean;
  moduleCount: number;
  lessonCount: number;
  totalMinutes: number;
  enrolment: EnrolmentView | null;
  progress: CourseProgress;
}

export interface LessonOutline {
  id: string;
  key: string;
  title: string;
  minutes: number;
  status: LessonStatus;
  startedAt: Date | null;
  completedAt: Date | null;
  secondsSpent: number;
}

export interface KnowledgeCheckOutline {
  questions: number;
  tags: string[];
  passMark: number;
  attempts: number;
  bestPercent: number | null;
  passed: boolean;
  passedAt: Date | null;
}

export interface ModuleOutline {
  id: string;
  key: string;
  title: string;
  position: number;
  knowledgeCheck: KnowledgeCheckOutline | null;
  lessons: LessonOutline[];
}

export interface CourseOutline extends CourseCard {
  resumeLessonId: string | null;
  modules: ModuleOutline[];
}

/** The answer of the one eligibility rule (see CoursesService.hasCompletedRequiredCourse). */
export interface CourseEligibility {
  eligible: boolean;
  /** null when eligible; otherwise NO_REQUIRED_COURSE, NOT_ENROLLED or NOT_COMPLETED */
  reason: EligibilityReason | null;
  courseId: string | null;
  completedAt: Date | null;
}
export type EligibilityReason = 'NO_REQUIRED_COURSE' | 'NOT_ENROLLED' | 'NOT_COMPLETED';

export interface StaffLearningRow {
  userId: string;
  name: string;
  email: string;
  organisationName: string | null;
  courseId: string;
  courseTitle: string;
  status: LearningStatus;
  enrolledAt: Date | null;
  dueAt: Date | null;
  completedAt: Date | null;
  overdue: boolean;
  completedLessons: number;
  totalLessons: number;
  percent: number;
  minutesSpent: number;
}

export interface StaffLearningFilter {
  courseId?: string;
  status?: LearningStatus;
  q?: string;
  organisationId?: string;
}
