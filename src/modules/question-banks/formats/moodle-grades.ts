/** Moodle's allowed grades (question_bank::fraction_options_full), as fractions; negatives allowed too. */
export const MOODLE_GRADES: readonly number[] = [
  1, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2, 0.1666667, 0.1428571, 0.125,
  0.1111111, 0.1, 0.05, 0,
];

/** Moodle's match_grade_options('error'): the grade must be one of the list within 0.00001. */
export function isMoodleGrade(fraction: number): boolean {
  const a = Math.abs(fraction);
  return MOODLE_GRADES.some((g) => Math.abs(a - g) < 0.00001);
}

/** The nearest allowed grade (sign kept). */
export function nearestMoodleGrade(fraction: number): number {
  const a = Math.abs(fraction);
  let best = 0;
  for (const g of MOODLE_GRADES) if (Math.abs(a - g) < Math.abs(a - best)) best = g;
  return fraction < 0 ? -best : best;
}
