import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FieldErrors } from '../../infra/http/app-error';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { Outbox } from '../../infra/queue/outbox';
import { AuditService } from '../audit/audit.service';
import { ScoreEventsService } from '../score-events/score-events.service';
import type { Actor } from '../organisations/organisations.service';
import { DAY_MS } from './domain/points';
import { ScoringRulesInput, validateRules } from './domain/rules';
import { IsvScoringError } from './isv-scoring.errors';
import { IsvScoringRepository } from './isv-scoring.repository';
import { RuleVersion } from './isv-scoring.types';
import { CHINA_OFFSET_MS, startOfChinaDay } from '../../infra/time/china-time';

/** How far ahead a version may be scheduled. */
const MAX_DAYS_AHEAD = 5 * 366;

export { startOfChinaDay };

/**
 * Parses when a version applies: an ISO instant, or a form's "YYYY-MM-DD" / "YYYY-MM-DDTHH:mm"
 * read as China time. Empty means now.
 */
export function parseEffectiveFrom(value: unknown): Date | null | 'invalid' {
  if (value === undefined || value === null || value === '') return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid' : value;
  if (typeof value !== 'string') return 'invalid';
  const text = value.trim();
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(text);
  if (local) {
    const [, y, m, d, hh, mm] = local;
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d), Number(hh ?? 0), Number(mm ?? 0)) - CHINA_OFFSET_MS);
    const check = new Date(date.getTime() + CHINA_OFFSET_MS);
    if (check.getUTCFullYear() !== Number(y) || check.getUTCMonth() !== Number(m) - 1 || check.getUTCDate() !== Number(d)) return 'invalid';
    return date;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) return 'invalid';
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? 'invalid' : date;
}

/**
 * Scoring rules, versioned. A version is never edited: staff write a new one that applies from a
 * chosen moment (now, later today, or a later day — never in the past, so no stored score is
 * silently re-explained). Writing it books one full recompute for the moment it takes effect,
 * through the outbox in the same transaction.
 */
@Injectable()
export class ScoringRulesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: IsvScoringRepository,
    private readonly outbox: Outbox,
    private readonly audit: AuditService,
  ) {}

  async versions(page: PageRequest): Promise<Page<RuleVersion>> {
    const { items, total } = await this.repository.ruleVersions(page);
    return toPage(items, total, page);
  }

  /** The version in force now and those scheduled after it. */
  async current(): Promise<{ now: Date; inForce: RuleVersion; scheduled: RuleVersion[] }> {
    const now = await this.repository.databaseNow();
    const [inForce, scheduled] = await Promise.all([this.repository.ruleVersionAt(now), this.repository.scheduledRuleVersions(now)]);
    if (!inForce) throw new Error('no scoring rule version is in force: scoring_rule_versions is empty');
    return { now, inForce, scheduled };
  }

  async createVersion(input: { rules: unknown; effectiveFrom: unknown; note?: string | null }, actor: Actor): Promise<RuleVersion> {
    const checked = validateRules(input.rules);
    const fields: FieldErrors = {};
    for (const problem of checked.problems) (fields[problem.field] ??= []).push(problem.key);
    const now = await this.repository.databaseNow();
    const parsed = parseEffectiveFrom(input.effectiveFrom);
    if (parsed === 'invalid') fields.effectiveFrom = ['isvScoring.errors.EFFECTIVE_DATE_INVALID'];
    else if (parsed && parsed.getTime() < startOfChinaDay(now).getTime()) fields.effectiveFrom = ['isvScoring.errors.EFFECTIVE_DATE_PAST'];
    else if (parsed && parsed.getTime() > now.getTime() + MAX_DAYS_AHEAD * DAY_MS) fields.effectiveFrom = ['isvScoring.rules.errors.tooFarAhead'];
    if (Object.keys(fields).length) throw new IsvScoringError('RULES_INVALID', { count: Object.keys(fields).length }, fields);
    // Today at a time already past means "from now": a version never applies retroactively.
    const effectiveFrom = parsed === null || parsed === 'invalid' || parsed.getTime() < now.getTime() ? now : parsed;
    const note = (input.note ?? '').trim().slice(0, 500);

    const version = await this.dataSource.transaction(async (manager) => {
      const number = await this.repository.insertRuleVersion(manager, { rules: input.rules as ScoringRulesInput, effectiveFrom, note, createdBy: actor.id });
      await this.audit.record(
        {
          action: 'scoring.rules_changed',
          actorId: actor.id,
          actorLabel: actor.label,
          targetType: 'scoring_rule_version',
          targetId: String(number),
          targetLabel: `v${number}`,
          ip: actor.ip ?? null,
          requestId: actor.requestId ?? null,
          detail: { effectiveFrom: effectiveFrom.toISOString(), note },
        },
        manager,
      );
      // One full recompute when the version takes effect (a second after, so the cut-off is past it).
      await this.outbox.add(manager, 'isv.recomputeAll', { reason: 'rules', ruleVersion: number }, { jobId: `isv.recomputeAll-rules-v${number}`, runAt: new Date(effectiveFrom.getTime() + 1000) });
      return number;
    });
    return (await this.repository.ruleVersion(version))!;
  }
}

/** Staff asking for a recompute: one ISV (as a score event, so it flows like any other) or all. */
@Injectable()
export class RecomputeRequestsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: IsvScoringRepository,
    private readonly scoreEvents: ScoreEventsService,
    private readonly outbox: Outbox,
    private readonly audit: AuditService,
  ) {}

  async requestOne(isvId: string, actor: Actor): Promise<void> {
    const organisation = await this.repository.organisation(isvId);
    if (!organisation || organisation.type !== 'isv') throw new IsvScoringError('ISV_NOT_FOUND');
    await this.dataSource.transaction(async (manager) => {
      await this.scoreEvents.record(manager, { organisationId: isvId, kind: 'recompute.requested', sourceType: 'organisation', sourceId: isvId, userId: actor.id });
      await this.audit.record(
        { action: 'scoring.recompute_requested', actorId: actor.id, actorLabel: actor.label, targetType: 'organisation', targetId: isvId, targetLabel: organisation.name, organisationId: isvId, ip: actor.ip ?? null, requestId: actor.requestId ?? null },
        manager,
      );
    });
  }

  async requestAll(actor: Actor): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.outbox.add(manager, 'isv.recomputeAll', { reason: 'staff' }, { jobId: `isv.recomputeAll-staff-${Date.now()}` });
      await this.audit.record(
        { action: 'scoring.recompute_requested', actorId: actor.id, actorLabel: actor.label, targetType: 'organisation', targetId: null, targetLabel: 'all ISVs', ip: actor.ip ?? null, requestId: actor.requestId ?? null, detail: { scope: 'all' } },
        manager,
      );
    });
  }
}
