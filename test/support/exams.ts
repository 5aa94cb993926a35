/** Exams for tests: the shipped banks and exams, and short exams made to order. */
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { projectPath } from '../../src/infra/paths';
import { ExamsService } from '../../src/modules/exams/exams.service';
import { SYSTEM_ACTOR } from '../../src/modules/organisations/organisations.service';
import { BankImportService } from '../../src/modules/question-banks/bank-import.service';

export async function loadContent(app: INestApplicationContext): Promise<void> {
  await app.get(BankImportService).importPaths([projectPath('question-banks')], { actor: SYSTEM_ACTOR });
  await app.get(ExamsService).loadShippedExams();
}

let counter = 0;
/** A published practice exam with a short limit: `sections` areas × `perSection` objective questions. */
export async function makeShortExam(
  db: DataSource,
  options: { seconds: number; grace?: number; areas?: string[]; perSection?: number; mode?: 'practice' | 'certification'; reviewPolicy?: string; passMark?: number; thresholds?: Record<string, number> },
): Promise<string> {
  const areas = options.areas ?? ['aipl', 'fast', 'grow'];
  const [{ id }] = await db.query(
    `INSERT INTO exams (key, title, mode, status, time_limit_seconds, pass_mark_percent, attempts_allowed, cooldown_hours, requires_course,
                        review_policy, grace_seconds, integrity_thresholds, published_at)
     VALUES ($1, $2, $3, 'published', $4, $5, NULL, 0, false, $6, $7, $8, now()) RETURNING id`,
    [
      `test-exam-${++counter}-${Date.now()}`,
      JSON.stringify({ 'zh-CN': `测试考试 ${counter}`, en: `Test exam ${counter}` }),
      options.mode ?? 'practice',
      options.seconds,
      options.passMark ?? 50,
      options.reviewPolicy ?? 'responses',
      options.grace ?? 1,
      JSON.stringify(options.thresholds ?? {}),
    ],
  );
  for (const [position, tag] of areas.entries()) {
    await db.query(
      `INSERT INTO exam_sections (exam_id, position, title, tags, types, question_count, points_each) VALUES ($1, $2, '{}', $3, $4, $5, 1)`,
      [id, position, [tag], ['single_choice', 'true_false', 'multiple_choice'], options.perSection ?? 1],
    );
  }
  return id as string;
}

export async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 15000, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A response of the right shape for an item as the candidate sees it (not necessarily right). */
export function someResponse(item: { type: string; options: { id: string }[] }): Record<string, unknown> {
  switch (item.type) {
    case 'single_choice':
      return { optionId: item.options[0].id };
    case 'multiple_choice':
      return { optionIds: [item.options[0].id] };
    case 'true_false':
      return { value: true };
    default:
      throw new Error(`no sample response for ${item.type}`);
  }
}
