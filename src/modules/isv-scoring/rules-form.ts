/**
 * The rule editor form: flat fields named after the rule paths (dimensions.projects.cap …), so a
 * validation problem lands next to its field. Variants are one "name = points" per line.
 */
import { DIMENSIONS, ScoringRulesInput } from './domain/rules';

export type RulesFormValues = Record<string, string>;
export type RulesFormErrors = Record<string, string>;

const FIELD_NAMES = [
  ...DIMENSIONS.flatMap((d) => [`dimensions.${d}.cap`, `dimensions.${d}.pointsPerItem`, `dimensions.${d}.windowMonths`, `dimensions.${d}.pointsByVariant`]),
  'tiers.silver.minTotal',
  'tiers.gold.minTotal',
  'tiers.gold.minPerDimension',
  'demotion.graceDays',
  'demotion.finalWarningDays',
  'effectiveFrom',
  'note',
];

const VARIANT_LINE = /^\s*([a-z][a-z0-9_]{0,39})\s*[=:：]\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$/;

/** The form prefilled from a version's rules. */
export function rulesToForm(rules: ScoringRulesInput, effectiveFrom = '', note = ''): RulesFormValues {
  const values: RulesFormValues = {};
  for (const d of DIMENSIONS) {
    const rule = rules.dimensions[d];
    values[`dimensions.${d}.cap`] = String(rule.cap);
    values[`dimensions.${d}.pointsPerItem`] = String(rule.pointsPerItem);
    values[`dimensions.${d}.windowMonths`] = rule.windowMonths === null ? '' : String(rule.windowMonths);
    values[`dimensions.${d}.pointsByVariant`] = Object.entries(rule.pointsByVariant ?? {})
      .map(([variant, points]) => `${variant} = ${points}`)
      .join('\n');
  }
  values['tiers.silver.minTotal'] = String(rules.tiers.silver.minTotal);
  values['tiers.gold.minTotal'] = String(rules.tiers.gold.minTotal);
  values['tiers.gold.minPerDimension'] = String(rules.tiers.gold.minPerDimension);
  values['demotion.graceDays'] = String(rules.demotion.graceDays);
  values['demotion.finalWarningDays'] = String(rules.demotion.finalWarningDays);
  values.effectiveFrom = effectiveFrom;
  values.note = note;
  return values;
}

/** A number field: a number when it reads as one, else the text (so validation says "enter a number"). */
function numberOf(text: string): number | string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  return /^-?[0-9]+(\.[0-9]+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/**
 * Reads the posted form into rules (for validateRules) and the values to show again. Lines of the
 * variant boxes that cannot be read are reported here; everything else is validateRules' job.
 */
export function parseRulesForm(body: Record<string, unknown>): { rules: unknown; values: RulesFormValues; errors: RulesFormErrors } {
  const values: RulesFormValues = {};
  for (const name of FIELD_NAMES) values[name] = typeof body[name] === 'string' ? (body[name]) : '';
  const errors: RulesFormErrors = {};
  const dimensions: Record<string, unknown> = {};
  for (const d of DIMENSIONS) {
    const variants: Record<string, number> = {};
    for (const line of values[`dimensions.${d}.pointsByVariant`].split(/\r?\n/)) {
      if (!line.trim()) continue;
      const match = VARIANT_LINE.exec(line);
      if (!match) {
        errors[`dimensions.${d}.pointsByVariant`] = 'isvScoring.rules.errors.variantLine';
        continue;
      }
      variants[match[1]] = Number(match[2]);
    }
    const windowText = values[`dimensions.${d}.windowMonths`].trim();
    dimensions[d] = {
      cap: numberOf(values[`dimensions.${d}.cap`]),
      pointsPerItem: numberOf(values[`dimensions.${d}.pointsPerItem`]),
      pointsByVariant: variants,
      windowMonths: windowText === '' ? null : numberOf(windowText),
    };
  }
  const rules = {
    dimensions,
    tiers: {
      silver: { minTotal: numberOf(values['tiers.silver.minTotal']) },
      gold: { minTotal: numberOf(values['tiers.gold.minTotal']), minPerDimension: numberOf(values['tiers.gold.minPerDimension']) },
    },
    demotion: { graceDays: numberOf(values['demotion.graceDays']), finalWarningDays: numberOf(values['demotion.finalWarningDays']) },
  };
  return { rules, values, errors };
}
