import { BLANK, countBlanks, type NumericGap, type QuestionContent, type TextGap } from './question';

export interface ContentProblem {
  severity: 'error' | 'warning';
  /** path inside the question, e.g. ['options', 2, 'text'] */
  path: Array<string | number>;
  message: string;
}

const EPS = 1e-6;

/**
 * Semantic checks every format shares (the parsers add their own syntax checks): enough options, a
 * correct answer, one gap per blank, fractions in range. Errors make a question unusable; warnings
 * are worth telling the author.
 */
export function checkQuestionContent(q: QuestionContent): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const error = (path: ContentProblem['path'], message: string): void => {
    problems.push({ severity: 'error', path, message });
  };
  const warn = (path: ContentProblem['path'], message: string): void => {
    problems.push({ severity: 'warning', path, message });
  };

  const stems = Object.values(q.stem);
  if (stems.length === 0 || stems.every((s) => s.trim() === '')) {
    // imported items may hold their question in an image or audio only: worth a warning, not a refusal
    warn(['stem'], 'the question text is empty');
  }
  if (q.difficulty !== undefined && (!Number.isInteger(q.difficulty) || q.difficulty < 1 || q.difficulty > 5)) {
    error(['difficulty'], `difficulty must be an integer from 1 to 5, not ${q.difficulty}`);
  }

  switch (q.type) {
    case 'single_choice':
    case 'multiple_choice': {
      const options = q.options ?? [];
      if (options.length < 2) error(['options'], `a ${q.type} question needs at least 2 options, found ${options.length}`);
      options.forEach((o, i) => {
        if (!(o.fraction >= -1 - EPS && o.fraction <= 1 + EPS)) {
          error(['options', i, 'fraction'], `option ${i + 1}: fraction ${o.fraction} is outside −1…1`);
        }
        if (Object.values(o.text).every((t) => t.trim() === '')) warn(['options', i, 'text'], `option ${i + 1} has no text`);
      });
      if (q.type === 'single_choice') {
        if (options.length >= 2 && !options.some((o) => o.fraction >= 1 - EPS)) {
          error(['options'], 'a single_choice question needs one option marked correct (fraction 1)');
        }
      } else {
        const positive = options.filter((o) => o.fraction > EPS);
        if (options.length >= 2 && positive.length === 0) {
          error(['options'], 'a multiple_choice question needs at least one correct option');
        }
        if (q.scoring === 'partial' && positive.length > 0) {
          const sum = positive.reduce((s, o) => s + o.fraction, 0);
          if (Math.abs(sum - 1) > 0.01) {
            warn(['options'], `the correct options' fractions add up to ${Math.round(sum * 1000) / 1000}, not 1: full marks are ${sum < 1 ? 'impossible' : 'reachable without every correct option'}`);
          }
        }
      }
      break;
    }
    case 'ordering': {
      const options = q.options ?? [];
      if (options.length < 2) error(['options'], `an ordering question needs at least 2 items, found ${options.length}`);
      break;
    }
    case 'true_false':
      if (typeof q.answer !== 'boolean') error(['answer'], 'a true_false question needs answer: true or false');
      break;
    case 'short_answer':
    case 'numeric': {
      const gaps = (q.gaps ?? []) as Array<TextGap | NumericGap>;
      if (gaps.length === 0) error(['gaps'], `a ${q.type} question needs at least one gap with answers`);
      for (const [locale, stem] of Object.entries(q.stem)) {
        const blanks = countBlanks(stem);
        if (gaps.length > 0 && blanks !== gaps.length && !(blanks === 0 && gaps.length === 1)) {
          error(['stem'], `the ${locale} stem has ${blanks} blank(s) (${BLANK}) but the question has ${gaps.length} gap(s): write one ${BLANK} per gap`);
        }
      }
      gaps.forEach((g, gi) => {
        const answers = g.answers ?? [];
        if (answers.length === 0) error(['gaps', gi, 'answers'], `gap ${gi + 1} has no accepted answer`);
        answers.forEach((a, ai) => {
          if (!(a.fraction >= -EPS && a.fraction <= 1 + EPS)) {
            error(['gaps', gi, 'answers', ai, 'fraction'], `gap ${gi + 1} answer ${ai + 1}: fraction ${a.fraction} is outside 0…1`);
          }
          if ('value' in a) {
            if (!Number.isFinite(a.value)) error(['gaps', gi, 'answers', ai, 'value'], `gap ${gi + 1} answer ${ai + 1} is not a finite number`);
            if (!(a.tolerance >= 0)) error(['gaps', gi, 'answers', ai, 'tolerance'], `gap ${gi + 1} answer ${ai + 1}: tolerance must be ≥ 0`);
          } else if (Object.values(a.text).every((t) => t.trim() === '')) {
            error(['gaps', gi, 'answers', ai, 'text'], `gap ${gi + 1} answer ${ai + 1} is empty`);
          }
        });
        if (answers.length > 0 && !answers.some((a) => a.fraction >= 1 - EPS)) {
          warn(['gaps', gi, 'answers'], `gap ${gi + 1} has no full-credit answer (fraction 1): full marks are impossible`);
        }
      });
      break;
    }
    case 'matching': {
      const pairs = q.pairs ?? [];
      const prompted = pairs.filter((p) => p.prompt && Object.values(p.prompt).some((t) => t.trim() !== ''));
      if (prompted.length < 1) error(['pairs'], 'a matching question needs at least one pair with a prompt');
      else if (pairs.length < 2) warn(['pairs'], 'a matching question with a single pair gives nothing to choose from');
      pairs.forEach((p, i) => {
        if (Object.values(p.match).every((t) => t.trim() === '')) warn(['pairs', i, 'match'], `pair ${i + 1} has an empty match`);
      });
      break;
    }
    case 'essay':
    case 'description':
      break;
  }
  return problems;
}
