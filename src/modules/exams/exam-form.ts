/**
 * The staff exam form: from posted fields to an exam definition and its blueprint, with one
 * message (an i18n key) per wrong field, and back (an exam as form values). Pure, so it is
 * tested without a server. The blueprint's rows are a variable list, which is why this is a
 * parser and not a single DTO: a row is identified by its index (`s<i>_<field>`), blank rows
 * are ignored, and a row can be removed with its `s<i>_remove` box.
 */
import { QUESTION_TYPES } from '../question-banks/domain/question';
import type { LocalizedText } from '../question-banks/domain/question';
import { DEFAULT_INTEGRITY_THRESHOLDS, IntegrityThresholds, SignalType } from './domain/integrity';
import type { ExamFields, SectionFields } from './exam-authoring.repository';
import { Exam, ExamSection, ExamMode, ReviewPolicy } from './exams.types';

/** Signals a threshold can be set for (online/offline are recorded for the timeline only). */
export const THRESHOLD_SIGNALS = ['focus_lost', 'visibility_hidden', 'fullscreen_exit', 'copy', 'paste', 'context_menu', 'heartbeat_gap', 'ip_changed', 'second_session'] as const satisfies readonly SignalType[];
export const EXAM_MODES: readonly ExamMode[] = ['practice', 'certification'];
export const REVIEW_POLICIES: readonly ReviewPolicy[] = ['nothing', 'score', 'breakdown', 'responses'];
export const REVIEW_FROM: readonly Exam['reviewFrom'][] = ['graded', 'sitting_closed'];
export const DIFFICULTIES = [1, 2, 3, 4, 5] as const;
/** Blank blueprint rows offered under the existing ones (the form works without JavaScript). */
export const BLANK_ROWS = 2;

export interface SectionForm {
  index: number;
  titleZh: string;
  titleEn: string;
  tags: string;
  types: string[];
  difficulties: string[];
  questionCount: string;
  pointsEach: string;
  inUse: boolean;
}

export interface ExamForm {
  titleZh: string;
  titleEn: string;
  descriptionZh: string;
  descriptionEn: string;
  mode: string;
  timeLimitMinutes: string;
  passMarkPercent: string;
  attemptsAllowed: string;
  cooldownHours: string;
  requiresCourse: boolean;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  reviewPolicy: string;
  reviewFrom: string;
  validityMonths: string;
  graceSeconds: string;
  thresholds: { signal: string; value: string; placeholder: number | null }[];
  sections: SectionForm[];
}

export type FormErrors = Record<string, string>;

export interface ParsedExam {
  form: ExamForm;
  errors: FormErrors;
  exam: ExamFields | null;
  sections: SectionFields[];
  /** indexes (as posted) of the rows kept, in order: the blueprint's new positions */
  keptRows: number[];
}

const str = (body: Record<string, unknown>, name: string): string => {
  const v = body[name];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return '';
};
const list = (body: Record<string, unknown>, name: string): string[] => {
  const v = body[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' && v !== '' ? [v] : [];
};
const checked = (body: Record<string, unknown>, name: string): boolean => {
  const v = body[name];
  return v === 'on' || v === 'true' || v === true || (Array.isArray(v) && v.includes('on'));
};

const WHOLE = /^\d{1,9}$/;
const DECIMAL = /^\d{1,6}(\.\d{1,2})?$/;
const TAG = /^[\w.-]{1,100}$/;

const text = (zh: string, en: string): LocalizedText => {
  const out: LocalizedText = {};
  if (zh.trim()) out['zh-CN'] = zh.trim();
  if (en.trim()) out.en = en.trim();
  return out;
};

/** Minutes as typed: whole or with up to two decimals (a 90-second exam is 1.5 minutes). */
export const minutesText = (seconds: number): string => String(Math.round((seconds / 60) * 100) / 100);

export function splitTags(value: string): string[] {
  return [...new Set(value.split(/[\s,，、]+/).filter(Boolean))];
}

function sectionIndexes(body: Record<string, unknown>): number[] {
  const found = new Set<number>();
  for (const key of Object.keys(body)) {
    const m = /^s(\d{1,3})_/.exec(key);
    if (m) found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
}

/** Parses and checks a posted exam form. `inUse` = blueprint positions attempts have drawn from. */
export function parseExamForm(body: Record<string, unknown>, inUse: readonly number[] = []): ParsedExam {
  const errors: FormErrors = {};
  const form: ExamForm = {
    titleZh: str(body, 'titleZh').trim(),
    titleEn: str(body, 'titleEn').trim(),
    descriptionZh: str(body, 'descriptionZh').trim(),
    descriptionEn: str(body, 'descriptionEn').trim(),
    mode: str(body, 'mode'),
    timeLimitMinutes: str(body, 'timeLimitMinutes').trim(),
    passMarkPercent: str(body, 'passMarkPercent').trim(),
    attemptsAllowed: str(body, 'attemptsAllowed').trim(),
    cooldownHours: str(body, 'cooldownHours').trim(),
    requiresCourse: checked(body, 'requiresCourse'),
    shuffleQuestions: checked(body, 'shuffleQuestions'),
    shuffleOptions: checked(body, 'shuffleOptions'),
    reviewPolicy: str(body, 'reviewPolicy'),
    reviewFrom: str(body, 'reviewFrom'),
    validityMonths: str(body, 'validityMonths').trim(),
    graceSeconds: str(body, 'graceSeconds').trim(),
    thresholds: THRESHOLD_SIGNALS.map((signal) => ({ signal, value: str(body, `threshold_${signal}`).trim(), placeholder: DEFAULT_INTEGRITY_THRESHOLDS[signal] ?? null })),
    sections: [],
  };

  if (!form.titleZh) errors.titleZh = 'validation.required';
  else if (form.titleZh.length > 200) errors.titleZh = 'validation.maxLength200';
  if (form.titleEn.length > 200) errors.titleEn = 'validation.maxLength200';
  if (form.descriptionZh.length > 4000) errors.descriptionZh = 'exams.staff.validation.maxLength4000';
  if (form.descriptionEn.length > 4000) errors.descriptionEn = 'exams.staff.validation.maxLength4000';
  if (!(EXAM_MODES as readonly string[]).includes(form.mode)) errors.mode = 'exams.staff.validation.mode';

  let timeLimitSeconds = 0;
  if (!DECIMAL.test(form.timeLimitMinutes)) errors.timeLimitMinutes = 'exams.staff.validation.timeLimit';
  else {
    timeLimitSeconds = Math.round(Number(form.timeLimitMinutes) * 60);
    if (timeLimitSeconds < 30 || timeLimitSeconds > 36000) errors.timeLimitMinutes = 'exams.staff.validation.timeLimit';
  }
  if (!DECIMAL.test(form.passMarkPercent) || Number(form.passMarkPercent) > 100) errors.passMarkPercent = 'exams.staff.validation.passMark';
  if (form.attemptsAllowed && (!WHOLE.test(form.attemptsAllowed) || Number(form.attemptsAllowed) < 1 || Number(form.attemptsAllowed) > 100)) {
    errors.attemptsAllowed = 'exams.staff.validation.attemptsAllowed';
  }
  if (!WHOLE.test(form.cooldownHours) || Number(form.cooldownHours) > 8760) errors.cooldownHours = 'exams.staff.validation.cooldown';
  if (!(REVIEW_POLICIES as readonly string[]).includes(form.reviewPolicy)) errors.reviewPolicy = 'exams.staff.validation.reviewPolicy';
  if (!(REVIEW_FROM as readonly string[]).includes(form.reviewFrom)) errors.reviewFrom = 'exams.staff.validation.reviewFrom';
  else if (form.reviewFrom === 'sitting_closed' && form.mode === 'practice') errors.reviewFrom = 'exams.staff.validation.reviewFromPractice';
  if (form.validityMonths && (!WHOLE.test(form.validityMonths) || Number(form.validityMonths) < 1 || Number(form.validityMonths) > 120)) {
    errors.validityMonths = 'exams.staff.validation.validity';
  }
  if (!WHOLE.test(form.graceSeconds) || Number(form.graceSeconds) > 120) errors.graceSeconds = 'exams.staff.validation.grace';

  const integrityThresholds: IntegrityThresholds = {};
  for (const t of form.thresholds) {
    if (t.value === '') continue;
    if (!WHOLE.test(t.value) || Number(t.value) > 1000) errors[`threshold_${t.signal}`] = 'exams.staff.validation.threshold';
    else integrityThresholds[t.signal as SignalType] = Number(t.value);
  }

  const sections: SectionFields[] = [];
  const keptRows: number[] = [];
  for (const index of sectionIndexes(body)) {
    const p = `s${index}_`;
    const row: SectionForm = {
      index,
      titleZh: str(body, `${p}titleZh`).trim(),
      titleEn: str(body, `${p}titleEn`).trim(),
      tags: str(body, `${p}tags`).trim(),
      types: list(body, `${p}types`),
      difficulties: list(body, `${p}difficulties`),
      questionCount: str(body, `${p}questionCount`).trim(),
      pointsEach: str(body, `${p}pointsEach`).trim(),
      inUse: false,
    };
    const blank = !row.titleZh && !row.titleEn && !row.tags && !row.questionCount && !row.types.length && !row.difficulties.length;
    if (blank || checked(body, `${p}remove`)) continue;
    form.sections.push(row);
    const tags = splitTags(row.tags);
    if (!tags.length) errors[`${p}tags`] = 'exams.staff.validation.tagsRequired';
    else if (tags.length > 30 || !tags.every((t) => TAG.test(t))) errors[`${p}tags`] = 'exams.staff.validation.tags';
    if (!row.types.every((t) => (QUESTION_TYPES as readonly string[]).includes(t))) errors[`${p}types`] = 'exams.staff.validation.types';
    if (!row.difficulties.every((d) => /^[1-5]$/.test(d))) errors[`${p}difficulties`] = 'exams.staff.validation.difficulties';
    if (!WHOLE.test(row.questionCount) || Number(row.questionCount) < 1 || Number(row.questionCount) > 200) errors[`${p}questionCount`] = 'exams.staff.validation.questionCount';
    if (!WHOLE.test(row.pointsEach) || Number(row.pointsEach) < 1 || Number(row.pointsEach) > 100) errors[`${p}pointsEach`] = 'exams.staff.validation.pointsEach';
    if (row.titleZh.length > 200) errors[`${p}titleZh`] = 'validation.maxLength200';
    if (row.titleEn.length > 200) errors[`${p}titleEn`] = 'validation.maxLength200';
    keptRows.push(index);
    sections.push({
      title: text(row.titleZh, row.titleEn),
      tags,
      types: [...new Set(row.types)],
      difficulties: [...new Set(row.difficulties.map(Number))].sort((a, b) => a - b),
      questionCount: Number(row.questionCount),
      pointsEach: Number(row.pointsEach),
    });
  }
  if (!sections.length) errors.sections = 'exams.staff.validation.sectionsRequired';
  // Rows attempts drew from keep their place: the blueprint is rewritten by position.
  const lost = inUse.filter((position) => position >= sections.length || keptRows[position] !== position);
  if (lost.length && sections.length) errors.sections = 'exams.staff.validation.sectionInUse';

  const exam: ExamFields | null = Object.keys(errors).length
    ? null
    : {
        title: text(form.titleZh, form.titleEn),
        description: form.descriptionZh || form.descriptionEn ? text(form.descriptionZh, form.descriptionEn) : null,
        mode: form.mode as ExamMode,
        timeLimitSeconds,
        passMarkPercent: Number(form.passMarkPercent),
        attemptsAllowed: form.attemptsAllowed ? Number(form.attemptsAllowed) : null,
        cooldownHours: Number(form.cooldownHours),
        requiresCourse: form.requiresCourse,
        shuffleQuestions: form.shuffleQuestions,
        shuffleOptions: form.shuffleOptions,
        reviewPolicy: form.reviewPolicy as ReviewPolicy,
        reviewFrom: form.reviewFrom as Exam['reviewFrom'],
        validityMonths: form.validityMonths ? Number(form.validityMonths) : null,
        graceSeconds: Number(form.graceSeconds),
        integrityThresholds,
      };
  return { form: withBlankRows(form, inUse), errors, exam, sections, keptRows };
}

function blankRow(index: number): SectionForm {
  return { index, titleZh: '', titleEn: '', tags: '', types: [], difficulties: [], questionCount: '', pointsEach: '1', inUse: false };
}

/**
 * Marks the rows attempts drew from and adds blank rows to fill in. Rows keep the index they
 * were posted with (= their stored position until saved), so a form re-shown after a mistake
 * still names the same sections.
 */
function withBlankRows(form: ExamForm, inUse: readonly number[]): ExamForm {
  const rows = form.sections.map((s) => ({ ...s, inUse: inUse.includes(s.index) }));
  const next = rows.reduce((max, r) => Math.max(max, r.index + 1), 0);
  for (let i = 0; i < BLANK_ROWS; i++) rows.push(blankRow(next + i));
  return { ...form, sections: rows };
}

/** A new exam's form: sensible defaults (a practice exam, 30 minutes, pass mark 70%). */
export function emptyExamForm(): ExamForm {
  return withBlankRows(
    {
      titleZh: '',
      titleEn: '',
      descriptionZh: '',
      descriptionEn: '',
      mode: 'practice',
      timeLimitMinutes: '30',
      passMarkPercent: '70',
      attemptsAllowed: '',
      cooldownHours: '0',
      requiresCourse: false,
      shuffleQuestions: true,
      shuffleOptions: true,
      reviewPolicy: 'score',
      reviewFrom: 'graded',
      validityMonths: '',
      graceSeconds: '15',
      thresholds: THRESHOLD_SIGNALS.map((signal) => ({ signal, value: '', placeholder: DEFAULT_INTEGRITY_THRESHOLDS[signal] ?? null })),
      sections: [],
    },
    [],
  );
}

export function examForm(exam: Exam, sections: ExamSection[], inUse: readonly number[]): ExamForm {
  const thresholds = exam.integrityThresholds;
  return withBlankRows(
    {
      titleZh: exam.title['zh-CN'] ?? '',
      titleEn: exam.title.en ?? '',
      descriptionZh: exam.description?.['zh-CN'] ?? '',
      descriptionEn: exam.description?.en ?? '',
      mode: exam.mode,
      timeLimitMinutes: minutesText(exam.timeLimitSeconds),
      passMarkPercent: String(exam.passMarkPercent),
      attemptsAllowed: exam.attemptsAllowed === null ? '' : String(exam.attemptsAllowed),
      cooldownHours: String(exam.cooldownHours),
      requiresCourse: exam.requiresCourse,
      shuffleQuestions: exam.shuffleQuestions,
      shuffleOptions: exam.shuffleOptions,
      reviewPolicy: exam.reviewPolicy,
      reviewFrom: exam.reviewFrom,
      validityMonths: exam.validityMonths === null ? '' : String(exam.validityMonths),
      graceSeconds: String(exam.graceSeconds),
      thresholds: THRESHOLD_SIGNALS.map((signal) => ({
        signal,
        value: thresholds[signal] === undefined ? '' : String(thresholds[signal]),
        placeholder: DEFAULT_INTEGRITY_THRESHOLDS[signal] ?? null,
      })),
      sections: sections.map((s) => ({
        index: s.position,
        titleZh: s.title['zh-CN'] ?? '',
        titleEn: s.title.en ?? '',
        tags: s.tags.join(', '),
        types: s.types,
        difficulties: s.difficulties.map(String),
        questionCount: String(s.questionCount),
        pointsEach: String(s.pointsEach),
        inUse: false,
      })),
    },
    inUse,
  );
}
