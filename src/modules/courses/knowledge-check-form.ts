/**
 * Knowledge checks on a plain HTML form (works without JavaScript): how each question type is
 * drawn as form fields, how the posted fields turn back into the response shape the question
 * banks grade, and how a response is described in words on the results page. Pure functions.
 *
 * Field names: `q<n>` (single choice, true/false, multiple choice, essay), `q<n>_gap<k>` (short
 * answer, numeric), `q<n>_match_<promptId>` (matching), `q<n>_order<k>` (ordering, position k).
 */
import type { CandidateQuestion } from '../question-banks/candidate-view';

export interface ChoiceField {
  id: string;
  text: string;
  inputId: string;
  checked: boolean;
}

export interface SelectField {
  name: string;
  inputId: string;
  label: string;
  choices: { id: string; text: string; selected: boolean }[];
}

/** One question as the template draws it: every key is always present (strict templates). */
export interface QuestionForm {
  position: number;
  number: number;
  type: CandidateQuestion['type'];
  title: string | null;
  stem: string;
  name: string;
  kind: 'single' | 'multiple' | 'truefalse' | 'gaps' | 'matching' | 'ordering' | 'essay' | 'none';
  choices: ChoiceField[];
  gaps: { name: string; inputId: string; label: string; value: string; numeric: boolean }[];
  selects: SelectField[];
  text: string;
}

type Posted = Record<string, unknown>;

const str = (v: unknown): string =>
  typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
const list = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string')
    : typeof v === 'string' && v !== ''
      ? [v]
      : [];

function kindOf(type: CandidateQuestion['type']): QuestionForm['kind'] {
  switch (type) {
    case 'single_choice':
      return 'single';
    case 'multiple_choice':
      return 'multiple';
    case 'true_false':
      return 'truefalse';
    case 'short_answer':
    case 'numeric':
      return 'gaps';
    case 'matching':
      return 'matching';
    case 'ordering':
      return 'ordering';
    case 'essay':
      return 'essay';
    case 'description':
      return 'none';
  }
}

/**
 * The form of one question, pre-filled from a response (to redraw after an error), with the
 * labels of the locale (`labels.true`, `labels.false`, `labels.gap`, `labels.position`, `labels.choose`).
 */
export function questionForm(
  view: CandidateQuestion,
  position: number,
  labels: {
    true: string;
    false: string;
    gap: (n: number) => string;
    position: (n: number) => string;
    choose: string;
  },
  response: unknown = null,
): QuestionForm {
  const name = `q${position}`;
  const r = (typeof response === 'object' && response !== null ? response : {}) as Record<string, unknown>;
  const form: QuestionForm = {
    position,
    number: position + 1,
    type: view.type,
    title: view.title,
    stem: view.stem,
    name,
    kind: kindOf(view.type),
    choices: [],
    gaps: [],
    selects: [],
    text: typeof r.text === 'string' ? r.text : '',
  };
  switch (form.kind) {
    case 'single':
    case 'multiple': {
      const chosen = new Set(form.kind === 'single' ? [str(r.optionId)] : list(r.optionIds));
      form.choices = view.options.map((o) => ({
        id: o.id,
        text: o.text,
        inputId: `${name}-${o.id}`,
        checked: chosen.has(o.id),
      }));
      break;
    }
    case 'truefalse':
      form.choices = [
        { id: 'true', text: labels.true, inputId: `${name}-true`, checked: r.value === true },
        { id: 'false', text: labels.false, inputId: `${name}-false`, checked: r.value === false },
      ];
      break;
    case 'gaps': {
      const given = Array.isArray(r.gaps) ? r.gaps : [];
      for (let k = 0; k < Math.max(1, view.gaps); k++) {
        const value: unknown = given[k];
        form.gaps.push({
          name: `${name}_gap${k}`,
          inputId: `${name}-gap${k}`,
          label: labels.gap(k + 1),
          value: typeof value === 'string' || typeof value === 'number' ? String(value) : '',
          numeric: view.type === 'numeric',
        });
      }
      break;
    }
    case 'matching': {
      const pairs = (typeof r.pairs === 'object' && r.pairs !== null ? r.pairs : {}) as Record<
        string,
        unknown
      >;
      form.selects = view.prompts.map((p) => ({
        name: `${name}_match_${p.id}`,
        inputId: `${name}-match-${p.id}`,
        label: p.text,
        choices: [
          { id: '', text: labels.choose, selected: false },
          ...view.matches.map((m) => ({ id: m.id, text: m.text, selected: pairs[p.id] === m.id })),
        ],
      }));
      break;
    }
    case 'ordering': {
      const order = list(r.order);
      form.selects = view.options.map((_o, k) => ({
        name: `${name}_order${k}`,
        inputId: `${name}-order${k}`,
        label: labels.position(k + 1),
        choices: [
          { id: '', text: labels.choose, selected: false },
          ...view.options.map((o) => ({ id: o.id, text: o.text, selected: order[k] === o.id })),
        ],
      }));
      break;
    }
    case 'essay':
    case 'none':
      break;
  }
  return form;
}

/** The response a posted form gives for one question, or null when it was left unanswered. */
export function responseFromForm(view: CandidateQuestion, position: number, body: Posted): unknown {
  const name = `q${position}`;
  switch (view.type) {
    case 'single_choice': {
      const id = str(body[name]);
      return id ? { optionId: id } : null;
    }
    case 'multiple_choice': {
      const ids = list(body[name]);
      return ids.length ? { optionIds: [...new Set(ids)] } : null;
    }
    case 'true_false': {
      const v = str(body[name]);
      return v === 'true' ? { value: true } : v === 'false' ? { value: false } : null;
    }
    case 'short_answer':
    case 'numeric': {
      const gaps: string[] = [];
      for (let k = 0; k < Math.max(1, view.gaps); k++) gaps.push(str(body[`${name}_gap${k}`]).trim());
      return gaps.every((g) => g === '') ? null : { gaps };
    }
    case 'matching': {
      const pairs: Record<string, string> = {};
      for (const p of view.prompts) {
        const m = str(body[`${name}_match_${p.id}`]);
        if (m) pairs[p.id] = m;
      }
      return Object.keys(pairs).length ? { pairs } : null;
    }
    case 'ordering': {
      const order = view.options.map((_o, k) => str(body[`${name}_order${k}`]));
      return order.every((o) => o === '') ? null : { order };
    }
    case 'essay': {
      const text = str(body[name]).trim();
      return text ? { text } : null;
    }
    case 'description':
      return {};
  }
}

/**
 * A response of the right shape that stands in for an unanswered question, so the banks can
 * still give the explanation and the right answer (its grade is ignored: unanswered scores 0).
 */
export function placeholderResponse(view: CandidateQuestion): unknown {
  switch (view.type) {
    case 'single_choice':
      return { optionId: view.options[0]?.id ?? '' };
    case 'multiple_choice':
      return { optionIds: [] };
    case 'true_false':
      return { value: true };
    case 'short_answer':
    case 'numeric':
      return { gaps: Array.from({ length: Math.max(1, view.gaps) }, () => '') };
    case 'matching':
      return { pairs: {} };
    case 'ordering':
      return { order: view.options.map((o) => o.id) };
    case 'essay':
      return { text: '' };
    case 'description':
      return {};
  }
}

/** A learner's response in words (results page), with the texts of the question's view. */
export function describeResponse(
  view: CandidateQuestion,
  response: unknown,
  labels: { true: string; false: string },
): string {
  if (response === null || typeof response !== 'object') return '';
  const r = response as Record<string, unknown>;
  const optionText = (id: unknown) => view.options.find((o) => o.id === id)?.text ?? String(id);
  switch (view.type) {
    case 'single_choice':
      return optionText(r.optionId);
    case 'multiple_choice':
      return list(r.optionIds).map(optionText).join(' / ');
    case 'true_false':
      return r.value === true ? labels.true : r.value === false ? labels.false : '';
    case 'short_answer':
    case 'numeric':
      return (Array.isArray(r.gaps) ? r.gaps : []).map((g) => String(g)).join(' / ');
    case 'matching': {
      const pairs = (typeof r.pairs === 'object' && r.pairs !== null ? r.pairs : {}) as Record<
        string,
        unknown
      >;
      return view.prompts
        .filter((p) => pairs[p.id] !== undefined)
        .map(
          (p) => `${p.text} → ${view.matches.find((m) => m.id === pairs[p.id])?.text ?? String(pairs[p.id])}`,
        )
        .join('; ');
    }
    case 'ordering':
      return list(r.order).map(optionText).join(' → ');
    case 'essay':
      return typeof r.text === 'string' ? r.text : '';
    case 'description':
      return '';
  }
}
