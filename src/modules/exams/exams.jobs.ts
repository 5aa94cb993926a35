import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../../infra/queue/jobs';
import { AttemptsService } from './attempts.service';
import { ExamsRepository } from './exams.repository';

declare module '../../infra/queue/jobs' {
  interface JobPayloads {
    'attempt.autoSubmit': { attemptId: string };
    'attempt.grade': { attemptId: string };
    'attempt.sweepOverdue': Record<string, never>;
    /** Announced after commit when an attempt is decided passed; handled by the certificates module. */
    'attempt.passed': { attemptId: string };
    /** Announced after commit when an attempt is invalidated (also after a pass); handled by the certificates module. */
    'attempt.invalidated': { attemptId: string };
  }
}

/**
 * Exam jobs. Handlers are thin and safe to run twice: the service loads the attempt and returns
 * early when the work is done or not due. Deadlines and grading have their own queues so a
 * deadline burst never waits behind anything else.
 */
@Injectable()
export class ExamJobs implements OnModuleInit {
  private readonly logger = new Logger('exam-jobs');

  constructor(
    private readonly registry: JobRegistry,
    private readonly attempts: AttemptsService,
    private readonly repository: ExamsRepository,
  ) {}

  onModuleInit(): void {
    this.registry.define({
      name: 'attempt.autoSubmit',
      queue: 'exam-deadlines',
      attempts: 10,
      backoffMs: 500,
      handler: async ({ attemptId }) => {
        await this.attempts.autoSubmit(attemptId);
      },
    });
    this.registry.define({
      name: 'attempt.grade',
      queue: 'exam-grading',
      attempts: 10,
      backoffMs: 1000,
      handler: async ({ attemptId }) => {
        await this.attempts.grade(attemptId);
      },
    });
    // The safety net: if a delayed job was lost (Redis flushed, a crash mid-job), overdue attempts
    // still close and submitted ones are still graded.
    this.registry.define({
      name: 'attempt.sweepOverdue',
      queue: 'exam-deadlines',
      attempts: 1,
      backoffMs: 1000,
      repeat: { pattern: '* * * * *' },
      handler: async () => {
        const ids = await this.repository.overdueAttemptIds();
        for (const id of ids) await this.attempts.autoSubmit(id);
        if (ids.length) this.logger.warn(`swept ${ids.length} overdue attempt(s) the deadline jobs had not closed`);
        // And the same net behind the grade jobs: a submitted attempt never stays ungraded.
        const ungraded = await this.repository.ungradedAttemptIds();
        for (const id of ungraded) await this.attempts.grade(id);
        if (ungraded.length) this.logger.warn(`graded ${ungraded.length} submitted attempt(s) whose grade job had not run`);
      },
    });
  }
}
