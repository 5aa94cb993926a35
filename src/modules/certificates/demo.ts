/**
 * Demo certificates for `npm run demo` (call after the demo people exist; idempotent: a person who
 * already holds a certificate is left alone). Issued by the real issuance from a stand-in passed
 * attempt of the shipped certification exam, so serials, codes, audit, score events and notices
 * are the real thing:
 * - candidate1 (Galaxy Data) certified 14 months ago: active for ten more months;
 * - candidate2 (Galaxy Data) certified 24 months less 45 days ago: expiring in 45 days, inside the
 *   renewal window (the renewal exam is open to them; the manager's table shows "expiring").
 */
import { INestApplicationContext } from '@nestjs/common';
import { UsersService } from '../accounts/users.service';
import { ExamsService } from '../exams/exams.service';
import { addMonths } from './domain/validity';
import { CertificateLifecycleService } from './certificate-lifecycle.service';
import { CertificatesRepository } from './certificates.repository';

const CERTIFICATION_EXAM_KEY = 'tmic-planner-certification';
const DAY_MS = 86_400_000;

export async function seedCertificatesDemo(app: INestApplicationContext): Promise<{ issued: number }> {
  const users = app.get(UsersService);
  const repository = app.get(CertificatesRepository);
  const lifecycle = app.get(CertificateLifecycleService);
  let examId = await repository.examIdByKey(CERTIFICATION_EXAM_KEY);
  if (!examId) {
    // The shipped exams load at web start; the demo may run first. Loading them here is idempotent.
    await app.get(ExamsService).loadShippedExams();
    examId = await repository.examIdByKey(CERTIFICATION_EXAM_KEY);
  }
  if (!examId) return { issued: 0 };
  const now = Date.now();
  const plan = [
    { email: 'candidate1@demo.example', decidedAt: addMonths(new Date(now), -14), scorePercent: 87.5 },
    { email: 'candidate2@demo.example', decidedAt: new Date(addMonths(new Date(now), -24).getTime() + 45 * DAY_MS), scorePercent: 76.25 },
  ];
  let issued = 0;
  for (const entry of plan) {
    const person = await users.findByEmail(entry.email);
    if (!person || (await repository.findByHolder(person.id)).length > 0) continue;
    const attemptId = await repository.createDemoPassedAttempt({ examId, userId: person.id, decidedAt: entry.decidedAt, scorePercent: entry.scorePercent });
    const outcome = await lifecycle.issueForAttempt(attemptId);
    if (outcome.outcome === 'issued') issued++;
  }
  return { issued };
}
