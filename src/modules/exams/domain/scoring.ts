/**
 * An attempt's result from its graded items: total, per-topic breakdown, pass or fail by the
 * exam's pass mark. Points are kept in thousandths (integers) so no float is ever compared
 * for equality.
 */
export interface ScoredItem {
  topic: string;
  points: number;
  /** 0…1, or null while a person has not scored it yet (essays) */
  credit: number | null;
  scored: boolean;
}

export interface TopicScore {
  topic: string;
  points: number;
  max: number;
  percent: number;
}

export interface AttemptResult {
  complete: boolean;
  points: number;
  max: number;
  percent: number;
  passed: boolean | null;
  topics: TopicScore[];
}

const milli = (points: number, credit: number) => Math.round(points * credit * 1000);
const pct = (got: number, max: number) => (max === 0 ? 0 : Math.floor((got * 10000) / max) / 100);

export function scoreAttempt(items: ScoredItem[], passMarkPercent: number): AttemptResult {
  let got = 0;
  let max = 0;
  let complete = true;
  const topics = new Map<string, { got: number; max: number }>();
  for (const item of items) {
    if (!item.scored) continue;
    const t = topics.get(item.topic) ?? { got: 0, max: 0 };
    t.max += item.points * 1000;
    max += item.points * 1000;
    if (item.credit === null) {
      complete = false;
    } else {
      const earned = milli(item.points, Math.max(0, Math.min(1, item.credit)));
      t.got += earned;
      got += earned;
    }
    topics.set(item.topic, t);
  }
  const percent = pct(got, max);
  return {
    complete,
    points: got / 1000,
    max: max / 1000,
    percent,
    // Compared in hundredths of a percent: integers, no float equality.
    passed: complete ? Math.round(percent * 100) >= Math.round(passMarkPercent * 100) : null,
    topics: [...topics.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([topic, t]) => ({ topic, points: t.got / 1000, max: t.max / 1000, percent: pct(t.got, t.max) })),
  };
}
