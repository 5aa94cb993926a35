import { emptyExamForm, examForm, parseExamForm } from '../../../src/modules/exams/exam-form';
import type { Exam, ExamSection } from '../../../src/modules/exams/exams.types';

const valid = {
  titleZh: '模拟考试',
  titleEn: 'Practice',
  mode: 'practice',
  timeLimitMinutes: '1.5',
  passMarkPercent: '62.5',
  attemptsAllowed: '',
  cooldownHours: '0',
  shuffleQuestions: 'on',
  reviewPolicy: 'responses',
  reviewFrom: 'graded',
  validityMonths: '',
  graceSeconds: '10',
  threshold_focus_lost: '1',
  threshold_copy: '',
  s0_titleZh: 'AIPL',
  s0_tags: 'aipl, fast，grow',
  s0_types: ['single_choice', 'true_false'],
  s0_difficulties: ['2', '1'],
  s0_questionCount: '3',
  s0_pointsEach: '2',
  s1_tags: '',
  s1_questionCount: '',
  s1_pointsEach: '1',
};

describe('the staff exam form', () => {
  it('turns posted fields into an exam definition and its blueprint, ignoring blank rows', () => {
    const parsed = parseExamForm(valid);
    expect(parsed.errors).toEqual({});
    expect(parsed.exam).toMatchObject({
      title: { 'zh-CN': '模拟考试', en: 'Practice' },
      description: null,
      mode: 'practice',
      timeLimitSeconds: 90,
      passMarkPercent: 62.5,
      attemptsAllowed: null,
      shuffleQuestions: true,
      shuffleOptions: false,
      requiresCourse: false,
      validityMonths: null,
      graceSeconds: 10,
      integrityThresholds: { focus_lost: 1 },
    });
    expect(parsed.sections).toEqual([{ title: { 'zh-CN': 'AIPL' }, tags: ['aipl', 'fast', 'grow'], types: ['single_choice', 'true_false'], difficulties: [1, 2], questionCount: 3, pointsEach: 2 }]);
    expect(parsed.keptRows).toEqual([0]);
  });

  it('names every wrong field with an i18n key and keeps what was typed', () => {
    const parsed = parseExamForm({ ...valid, titleZh: ' ', timeLimitMinutes: '0.2', passMarkPercent: '100.5', attemptsAllowed: '0', graceSeconds: '121', threshold_paste: 'x', s0_tags: 'a b!', s0_types: ['poem'], s0_difficulties: ['9'], s0_questionCount: '0', s0_pointsEach: '' });
    expect(parsed.exam).toBeNull();
    expect(parsed.errors).toEqual({
      titleZh: 'validation.required',
      timeLimitMinutes: 'exams.staff.validation.timeLimit',
      passMarkPercent: 'exams.staff.validation.passMark',
      attemptsAllowed: 'exams.staff.validation.attemptsAllowed',
      graceSeconds: 'exams.staff.validation.grace',
      threshold_paste: 'exams.staff.validation.threshold',
      s0_tags: 'exams.staff.validation.tags',
      s0_types: 'exams.staff.validation.types',
      s0_difficulties: 'exams.staff.validation.difficulties',
      s0_questionCount: 'exams.staff.validation.questionCount',
      s0_pointsEach: 'exams.staff.validation.pointsEach',
    });
    expect(parsed.form.sections[0]).toMatchObject({ index: 0, tags: 'a b!', questionCount: '0' });
    expect(parsed.form.thresholds.find((t) => t.signal === 'paste')).toMatchObject({ value: 'x', placeholder: 3 });
  });

  it('needs a section, and refuses practice exams that wait for a sitting', () => {
    const parsed = parseExamForm({ ...valid, reviewFrom: 'sitting_closed', s0_tags: '', s0_questionCount: '', s0_titleZh: '', s0_types: [], s0_difficulties: [] });
    expect(parsed.errors).toEqual({ reviewFrom: 'exams.staff.validation.reviewFromPractice', sections: 'exams.staff.validation.sectionsRequired' });
  });

  it('keeps sections attempts drew from in place: removing or moving one is refused', () => {
    const two = { ...valid, s1_tags: 'fast', s1_questionCount: '1', s1_pointsEach: '1' };
    expect(parseExamForm(two, [0, 1]).errors).toEqual({});
    expect(parseExamForm({ ...two, s0_remove: 'on' }, [1]).errors).toEqual({ sections: 'exams.staff.validation.sectionInUse' });
    expect(parseExamForm({ ...two, s1_remove: 'on' }, [1]).errors).toEqual({ sections: 'exams.staff.validation.sectionInUse' });
    expect(parseExamForm({ ...two, s1_remove: 'on' }, [0]).errors).toEqual({});
  });

  it('shows an exam as form values and offers blank rows to add sections', () => {
    const exam = { title: { 'zh-CN': '认证', en: 'Cert' }, description: null, mode: 'certification', timeLimitSeconds: 3600, passMarkPercent: 70, attemptsAllowed: 3, cooldownHours: 72, requiresCourse: true, shuffleQuestions: true, shuffleOptions: true, reviewPolicy: 'breakdown', reviewFrom: 'graded', validityMonths: 24, graceSeconds: 15, integrityThresholds: { copy: 0 } } as unknown as Exam;
    const sections = [{ position: 0, title: { en: 'AIPL' }, tags: ['aipl'], types: [], difficulties: [3], questionCount: 4, pointsEach: 1 }] as unknown as ExamSection[];
    const form = examForm(exam, sections, [0]);
    expect(form).toMatchObject({ titleZh: '认证', timeLimitMinutes: '60', attemptsAllowed: '3', validityMonths: '24', requiresCourse: true });
    expect(form.thresholds.find((t) => t.signal === 'copy')!.value).toBe('0');
    expect(form.sections.map((s) => [s.index, s.inUse, s.tags])).toEqual([[0, true, 'aipl'], [1, false, ''], [2, false, '']]);
    expect(emptyExamForm().sections).toHaveLength(2);
  });
});
