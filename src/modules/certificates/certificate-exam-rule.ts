import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../infra/config/config';
import { ExamEligibility, Verdict } from '../exams/exam-eligibility';
import { Exam } from '../exams/exams.types';
import { certificationExamAccess } from './domain/exam-access';
import { isRenewalExam } from './domain/programme';
import { CertificatesRepository } from './certificates.repository';

const REASONS = {
  ALREADY_CERTIFIED: 'you already hold a valid certificate; renewal opens',
  RENEWAL_NOT_OPEN: 'the renewal window opens',
  NO_CERTIFICATE_TO_RENEW: 'the renewal exam is for holders of an active certificate about to expire',
} as const;

/**
 * Adds the certificate rule to exam eligibility (exams never import certificates: it exposes a
 * registration point, this module fills it): the renewal exam is for holders inside the renewal
 * window, and a holder outside it does not sit the certification exam again.
 */
@Injectable()
export class CertificateExamRule implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly eligibility: ExamEligibility,
    private readonly repository: CertificatesRepository,
  ) {}

  onModuleInit(): void {
    this.eligibility.addRule((userId, exam, manager) => this.check(userId, exam, manager));
  }

  async check(userId: string, exam: Exam, manager?: EntityManager): Promise<Verdict | null> {
    if (exam.mode !== 'certification') return null;
    const [current] = await this.repository.findCurrentCertificates([userId], manager);
    const refusal = certificationExamAccess({
      examMode: exam.mode,
      renewalExam: isRenewalExam(exam.key),
      current: current ? { status: current.status, expiresAt: current.expires_at } : null,
      now: new Date(),
      windowDays: this.config.certificates.renewalWindowDays,
    });
    if (!refusal) return null;
    const reason = refusal.retryAt ? `${REASONS[refusal.code]} ${refusal.retryAt.toISOString()}` : REASONS[refusal.code];
    return { eligible: false, reasonCode: refusal.code, reason, retryAt: refusal.retryAt };
  }
}
