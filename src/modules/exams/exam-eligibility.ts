import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CoursesService } from '../courses/courses.service';
import { ExamsRepository } from './exams.repository';
import { Exam } from './exams.types';

export type IneligibleReason =
  | 'NOT_PUBLISHED'
  | 'COURSE_NOT_COMPLETED'
  | 'NO_ATTEMPTS_LEFT'
  | 'COOLDOWN'
  | 'ALREADY_CERTIFIED_PENDING'
  // from rules other modules add (certificates: who may take the certification and renewal exams)
  | 'ALREADY_CERTIFIED'
  | 'RENEWAL_NOT_OPEN'
  | 'NO_CERTIFICATE_TO_RENEW';

export interface Verdict {
  eligible: boolean;
  reasonCode: IneligibleReason | null;
  /** a sentence for the candidate (English key data; pages translate the code) */
  reason: string | null;
  retryAt: Date | null;
}

/**
 * A rule another module adds without exams depending on it (the certificates module says who may
 * take a renewal exam). Returns a refusal, or null when it has no objection.
 */
export type EligibilityRule = (userId: string, exam: Exam, manager?: EntityManager) => Promise<Verdict | null>;

/**
 * May this person start (practice) or register for (certification) this exam? One place: the
 * exam must be published; the required course completed (the courses module's rule); attempts
 * left; the cooldown since the last finished attempt over; and any rule other modules added.
 */
@Injectable()
export class ExamEligibility {
  constructor(
    private readonly repository: ExamsRepository,
    private readonly courses: CoursesService,
  ) {}

  private readonly rules: EligibilityRule[] = [];

  /** Adds a rule (called from another module's onModuleInit). */
  addRule(rule: EligibilityRule): void {
    this.rules.push(rule);
  }

  async check(userId: string, exam: Exam, manager?: EntityManager): Promise<Verdict> {
    if (exam.status !== 'published') return { eligible: false, reasonCode: 'NOT_PUBLISHED', reason: 'the exam is not published', retryAt: null };
    for (const rule of this.rules) {
      const refusal = await rule(userId, exam, manager);
      if (refusal) return refusal;
    }
    if (exam.requiresCourse) {
      const course = await this.courses.hasCompletedRequiredCourse(userId);
      if (!course.eligible) return { eligible: false, reasonCode: 'COURSE_NOT_COMPLETED', reason: `required course not completed (${course.reason ?? ''})`, retryAt: null };
    }
    const attempts = (await this.repository.attemptsOf(userId, exam.id, manager)).filter((a) => a.state !== 'withdrawn' && a.state !== 'registered' && a.state !== 'admitted');
    if (exam.attemptsAllowed !== null && attempts.length >= exam.attemptsAllowed) {
      return { eligible: false, reasonCode: 'NO_ATTEMPTS_LEFT', reason: `all ${exam.attemptsAllowed} attempts used`, retryAt: null };
    }
    const last = attempts.find((a) => a.submittedAt);
    if (last?.submittedAt && exam.cooldownHours > 0) {
      const retryAt = new Date(last.submittedAt.getTime() + exam.cooldownHours * 3600_000);
      if (retryAt.getTime() > Date.now()) return { eligible: false, reasonCode: 'COOLDOWN', reason: `next attempt possible from ${retryAt.toISOString()}`, retryAt };
    }
    return { eligible: true, reasonCode: null, reason: null, retryAt: null };
  }
}
