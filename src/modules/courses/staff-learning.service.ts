/**
 * The learning table of people × published courses: an ISV manager sees their own
 * organisation's staff only (the scope is applied in the query, never after it), platform
 * staff everyone. Filterable, paginated, and exported as CSV with the same filters.
 */
import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { Principal, scopeOf } from '../../infra/http/access';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { Locale, translate } from '../../infra/i18n/i18n';
import { CoursesRepository, StaffLearningDbRow } from './courses.repository';
import { pickText, StaffLearningFilter, StaffLearningRow } from './courses.types';
import { percentOf } from './progress-rules';

const CSV_PAGE = 1000;
const CSV_MAX_ROWS = 100_000;

/** A cell starting with = + - @ (or a tab/CR) would run as a formula in a spreadsheet: neutralise it. */
export function csvSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

@Injectable()
export class StaffLearningService {
  constructor(private readonly repository: CoursesRepository) {}

  async table(
    principal: Principal,
    filter: StaffLearningFilter,
    page: PageRequest,
    locale: string,
  ): Promise<Page<StaffLearningRow>> {
    const { items, total } = await this.repository.staffLearning(
      scopeOf(principal),
      this.scoped(principal, filter),
      page,
    );
    return toPage(
      items.map((r) => this.row(r, locale)),
      total,
      page,
    );
  }

  /** The whole filtered table as CSV (UTF-8 with BOM so spreadsheet programs read Chinese names). */
  async csv(principal: Principal, filter: StaffLearningFilter, locale: Locale): Promise<string> {
    const t = (key: string) => translate(locale, `courses.staff.${key}`);
    const header = [
      t('name'),
      t('email'),
      t('organisation'),
      t('course'),
      t('status'),
      t('percent'),
      t('completedLessons'),
      t('totalLessons'),
      t('minutesSpent'),
      t('enrolledAt'),
      t('dueAt'),
      t('overdue'),
      t('completedAt'),
    ];
    const rows: string[][] = [];
    for (let page = 1; rows.length < CSV_MAX_ROWS; page++) {
      const { items } = await this.repository.staffLearning(
        scopeOf(principal),
        this.scoped(principal, filter),
        { page, perPage: CSV_PAGE },
      );
      for (const r of items.map((i) => this.row(i, locale))) {
        rows.push(
          [
            r.name,
            r.email,
            r.organisationName ?? '',
            r.courseTitle,
            translate(locale, `courses.status.${r.status}`),
            String(r.percent),
            String(r.completedLessons),
            String(r.totalLessons),
            String(r.minutesSpent),
            r.enrolledAt?.toISOString() ?? '',
            r.dueAt?.toISOString() ?? '',
            r.overdue ? translate(locale, 'list.yes') : translate(locale, 'list.no'),
            r.completedAt?.toISOString() ?? '',
          ].map(csvSafe),
        );
      }
      if (items.length < CSV_PAGE) break;
    }
    return '\uFEFF' + stringify([header, ...rows]);
  }

  /** People a manager can pick from a list (their staff); staff, who may assign anyone, type emails instead. */
  async assignable(principal: Principal): Promise<{ id: string; name: string; email: string }[]> {
    const scope = scopeOf(principal);
    return scope.kind === 'organisation' ? this.repository.assignableUsers(scope, 500) : [];
  }

  /** A manager's organisation filter can only narrow to their own (the scope does the rest). */
  private scoped(principal: Principal, filter: StaffLearningFilter): StaffLearningFilter {
    return principal.role === 'platform_staff' ? filter : { ...filter, organisationId: undefined };
  }

  private row(r: StaffLearningDbRow, locale: string): StaffLearningRow {
    const total = Number(r.total_lessons);
    const completed = Math.min(Number(r.completed_lessons), total);
    return {
      userId: r.user_id,
      name: r.name,
      email: r.email,
      organisationName: r.organisation_name,
      courseId: r.course_id,
      courseTitle: pickText(r.course_title, locale),
      status: r.learning_status,
      enrolledAt: r.enrolled_at,
      dueAt: r.due_at,
      completedAt: r.completed_at,
      overdue: r.learning_status === 'overdue',
      completedLessons: completed,
      totalLessons: total,
      percent: percentOf(completed, total),
      minutesSpent: Math.round(Number(r.seconds_spent) / 60),
    };
  }
}
