import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NotificationsService } from '../notifications/notifications.service';
import { Centipoints, formatPoints } from './domain/points';
import type { TierChange } from './domain/tier-state';
import { IsvScoringRepository } from './isv-scoring.repository';
import { chinaDay } from '../../infra/time/china-time';


/**
 * The notification kind of a tier change. Tier names are part of the kind (not a parameter)
 * because parameters are stored as they are and rendered in each reader's language.
 */
export function noticeOf(change: TierChange, total: Centipoints): { kind: string; params: Record<string, string> } {
  const points = formatPoints(total);
  switch (change.kind) {
    case 'promoted':
      return { kind: `isvScoring.notifications.promoted.${change.to}`, params: { total: points } };
    case 'demoted':
      return { kind: `isvScoring.notifications.demoted.${change.to}`, params: { total: points } };
    case 'atRisk':
      return { kind: `isvScoring.notifications.atRisk.${change.tier}`, params: { total: points, since: chinaDay(change.belowSince), demotionOn: chinaDay(change.demotionOn) } };
    case 'demotionSoon':
      return { kind: `isvScoring.notifications.demotionSoon.${change.tier}`, params: { total: points, demotionOn: chinaDay(change.demotionOn) } };
    case 'recovered':
      return { kind: `isvScoring.notifications.recovered.${change.tier}`, params: { total: points } };
  }
}

/** Tells an ISV's managers about tier changes — in-app and by email — in the recompute's transaction. */
@Injectable()
export class TierNotifier {
  constructor(
    private readonly repository: IsvScoringRepository,
    private readonly notifications: NotificationsService,
  ) {}

  async tierChanged(manager: EntityManager, changes: { organisationId: string; changes: TierChange[]; total: Centipoints }[]): Promise<void> {
    if (changes.length === 0) return;
    const managers = await this.repository.managersOf(
      manager,
      changes.map((c) => c.organisationId),
    );
    for (const { organisationId, changes: list, total } of changes) {
      for (const change of list) {
        const notice = noticeOf(change, total);
        for (const person of managers.filter((m) => m.organisationId === organisationId)) {
          await this.notifications.notify(manager, { userId: person.userId, kind: notice.kind, params: notice.params, link: '/isv/score', email: true });
        }
      }
    }
  }
}
