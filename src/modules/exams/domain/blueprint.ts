/**
 * Drawing an attempt's questions from the banks by blueprint: random, no duplicates, avoiding
 * questions this candidate saw in earlier attempts while the pool allows. Pure: the service
 * passes the pools and a random source.
 */
export interface BlueprintSection {
  id: string;
  /** questions with any of these tags qualify */
  tags: string[];
  types: string[];
  difficulties: number[];
  bankId: string | null;
  questionCount: number;
  pointsEach: number;
}

export interface PoolQuestion {
  questionId: string;
  versionId: string;
  type: string;
  difficulty: number | null;
  tags: string[];
}

export interface DrawnItem {
  sectionId: string;
  questionId: string;
  versionId: string;
  points: number;
  /** the curriculum area the item counts for in per-topic scores */
  topic: string;
}

export interface Shortfall {
  sectionId: string;
  needed: number;
  available: number;
}

export function qualifies(section: BlueprintSection, q: PoolQuestion): boolean {
  return (
    q.tags.some((t) => section.tags.includes(t)) &&
    (!section.types.length || section.types.includes(q.type)) &&
    (!section.difficulties.length || (q.difficulty !== null && section.difficulties.includes(q.difficulty)))
  );
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** Which sections cannot be filled from the pool, and by how many (for publishing). */
export function shortfalls(sections: BlueprintSection[], pool: PoolQuestion[]): Shortfall[] {
  // Sections draw without sharing questions, so count greedily in order, like the draw does.
  const taken = new Set<string>();
  const result: Shortfall[] = [];
  for (const section of sections) {
    const candidates = pool.filter((q) => !taken.has(q.questionId) && qualifies(section, q));
    candidates.slice(0, section.questionCount).forEach((q) => taken.add(q.questionId));
    if (candidates.length < section.questionCount) result.push({ sectionId: section.id, needed: section.questionCount, available: candidates.length });
  }
  return result;
}

/**
 * Draws every section. Unseen questions come first; seen ones fill in only when the pool has
 * too few unseen. Throws when a section cannot be filled at all.
 */
export function drawBlueprint(sections: BlueprintSection[], pool: PoolQuestion[], seen: ReadonlySet<string>, random: () => number): DrawnItem[] {
  const taken = new Set<string>();
  const items: DrawnItem[] = [];
  for (const section of sections) {
    const candidates = pool.filter((q) => !taken.has(q.questionId) && qualifies(section, q));
    const fresh = shuffle(
      candidates.filter((q) => !seen.has(q.questionId)),
      random,
    );
    const old = shuffle(
      candidates.filter((q) => seen.has(q.questionId)),
      random,
    );
    const chosen = [...fresh, ...old].slice(0, section.questionCount);
    if (chosen.length < section.questionCount) throw new Error(`section ${section.id} needs ${section.questionCount} questions, the banks have ${chosen.length}`);
    for (const q of chosen) {
      taken.add(q.questionId);
      const topic = section.tags.find((t) => q.tags.includes(t)) ?? q.tags[0] ?? 'general';
      items.push({ sectionId: section.id, questionId: q.questionId, versionId: q.versionId, points: section.pointsEach, topic });
    }
  }
  return items;
}
