import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../../infra/http/access';
import { ValidationFailed } from '../../infra/http/app-error';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { AuditService } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { Actor, OrganisationsService } from '../organisations/organisations.service';
import { ScoreEventsService } from '../score-events/score-events.service';
import { IsvContributionsError } from './isv-contributions.errors';
import { auditTargetOf, IsvContributionsRepository } from './isv-contributions.repository';
import {
  EvidenceFile,
  EvidenceItem,
  EvidenceUpload,
  HistoryEntry,
  Submission,
  SubmissionChanges,
  SubmissionFilter,
  SubmissionInput,
  SubmissionStatus,
  SubmissionType,
} from './isv-contributions.types';
import {
  CheckedFile,
  checkEvidenceFile,
  MAX_EVIDENCE_FILES,
  mayResubmit,
  nextStatus,
  normaliseEvidenceUrls,
  occurredAtProblem,
  SubmissionAction,
} from './submission-rules';

/** The page of one record: what a score point links to, for its ISV's manager and staff. */
export function submissionUrl(type: SubmissionType, id: string): string {
  return type === 'contribution' ? `/isv/contributions/${id}` : `/isv/products/${id}`;
}

export const NOT_FOUND_CODE = { contribution: 'CONTRIBUTION_NOT_FOUND', product: 'PRODUCT_NOT_FOUND' } as const;

export interface SubmissionDetail {
  submission: Submission;
  history: HistoryEntry[];
  /** Earlier and later submissions of the same item (resubmissions after a rejection), oldest first. */
  chain: Submission[];
  canEdit: boolean;
  canWithdraw: boolean;
  canResubmit: boolean;
  canReview: boolean;
}

/**
 * Ecosystem contributions and co-built products: an ISV's manager submits them with evidence,
 * platform staff approve or reject them, and an approval writes a score event (and its outbox
 * job) in the same transaction, so the ISV's score follows within seconds.
 *
 * Owns isv_contributions, isv_products and isv_evidence_files. Never scores anything itself
 * (isv-scoring reads approved rows), and never lets a manager see or touch another ISV's records.
 */
@Injectable()
export class IsvContributionsService {
  constructor(
    private readonly repository: IsvContributionsRepository,
    private readonly organisations: OrganisationsService,
    private readonly scoreEvents: ScoreEventsService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {}

  /** For isv-scoring: where a point from a contribution or product record links to. */
  recordUrl(sourceType: SubmissionType, sourceId: string): string {
    return submissionUrl(sourceType, sourceId);
  }

  // ---- access ----------------------------------------------------------------------------------

  /** Staff see every ISV; a manager only their own (another ISV is a 403, not a 404, so nothing is hidden about the rule). */
  private async readableIsv(principal: Principal, isvId: string) {
    if (principal.role !== 'platform_staff' && !(principal.role === 'isv_manager' && principal.organisationId === isvId)) {
      throw new IsvContributionsError('NOT_YOUR_ISV');
    }
    const organisation = /^[0-9a-f-]{36}$/i.test(isvId) ? await this.organisations.find(isvId) : null;
    if (!organisation || organisation.type !== 'isv') throw new IsvContributionsError('ISV_NOT_FOUND');
    return organisation;
  }

  private assertMayRead(principal: Principal, submission: Submission): void {
    if (principal.role === 'platform_staff') return;
    if (principal.role === 'isv_manager' && principal.organisationId === submission.organisationId) return;
    throw new IsvContributionsError('NOT_YOUR_ISV');
  }

  /** Submitting, editing and withdrawing are the ISV manager's own acts; staff review instead. */
  private assertManagerOf(principal: Principal, organisationId: string): void {
    if (principal.role !== 'isv_manager') throw new IsvContributionsError('MANAGER_ONLY');
    if (principal.organisationId !== organisationId) throw new IsvContributionsError('NOT_YOUR_ISV');
  }

  private assertStaff(principal: Principal): void {
    if (principal.role !== 'platform_staff') throw new IsvContributionsError('STAFF_ONLY');
  }

  private assertTransition(submission: Submission, action: SubmissionAction): SubmissionStatus {
    const next = nextStatus(submission.status, action);
    if (!next) throw new IsvContributionsError('NOT_SUBMITTED', { status: submission.status });
    return next;
  }

  private async load(type: SubmissionType, id: string, manager?: EntityManager, forUpdate = false): Promise<Submission> {
    const found = await this.repository.find(type, id, manager, forUpdate);
    if (!found) throw new IsvContributionsError(NOT_FOUND_CODE[type]);
    return found;
  }

  // ---- rules on input --------------------------------------------------------------------------

  private checkOccurredAt(occurredAt: Date): void {
    const problem = occurredAtProblem(occurredAt, new Date());
    if (!problem) return;
    if (problem.code === 'OCCURRED_TOO_OLD') throw new IsvContributionsError('OCCURRED_TOO_OLD', { earliest: problem.earliest });
    throw new IsvContributionsError('OCCURRED_IN_FUTURE', { today: problem.today });
  }

  private checkUrls(urls: string[]): string[] {
    const result = normaliseEvidenceUrls(urls);
    if ('problem' in result) {
      if (result.problem.code === 'TOO_MANY_URLS') throw new IsvContributionsError('TOO_MANY_URLS', { max: result.problem.max });
      throw new IsvContributionsError('EVIDENCE_URL_INVALID', { url: result.problem.url });
    }
    return result.urls;
  }

  private checkFiles(uploads: EvidenceUpload[], alreadyAttached: number): CheckedFile[] {
    if (uploads.length + alreadyAttached > MAX_EVIDENCE_FILES) throw new IsvContributionsError('TOO_MANY_FILES', { max: MAX_EVIDENCE_FILES });
    return uploads.map((upload) => {
      const result = checkEvidenceFile(upload.filename, upload.content);
      if ('problem' in result) {
        const { code, ...params } = result.problem;
        throw new IsvContributionsError(code, params);
      }
      return result.file;
    });
  }

  private checkText(type: SubmissionType, input: { title?: string; kind?: string }, creating: boolean): void {
    if (type === 'contribution' && creating && !input.kind) throw new ValidationFailed({ kind: ['validation.required'] });
    if (type === 'product' && input.kind !== undefined) throw new ValidationFailed({ kind: ['isvContributions.validation.productHasNoKind'] });
  }

  private async storeFiles(manager: EntityManager, submission: { type: SubmissionType; id: string; organisationId: string }, files: CheckedFile[], uploadedBy: string): Promise<EvidenceItem[]> {
    const items: EvidenceItem[] = [];
    for (const file of files) {
      const fileId = await this.repository.insertFile(manager, submission.type, submission.id, submission.organisationId, file, uploadedBy);
      items.push({ type: 'file', fileId, filename: file.filename, contentType: file.contentType, sizeBytes: file.sizeBytes });
    }
    return items;
  }

  // ---- manager: submit, edit, withdraw ---------------------------------------------------------

  /** A new contribution or product for the ISV; `resubmissionOfId` names a rejected or withdrawn one it replaces. */
  async submit(principal: Principal, type: SubmissionType, isvId: string, input: SubmissionInput, actor: Actor, resubmissionOfId: string | null = null): Promise<Submission> {
    const isv = await this.readableIsv(principal, isvId);
    this.assertManagerOf(principal, isv.id);
    this.checkText(type, input, true);
    this.checkOccurredAt(input.occurredAt);
    const urls = this.checkUrls(input.evidenceUrls);
    const files = this.checkFiles(input.files, 0);
    if (urls.length + files.length === 0) throw new IsvContributionsError('EVIDENCE_REQUIRED');
    return this.repository.dataSource.transaction(async (manager) => {
      if (resubmissionOfId) {
        const previous = await this.repository.find(type, resubmissionOfId, manager, true);
        if (!previous || previous.organisationId !== isv.id) throw new IsvContributionsError(NOT_FOUND_CODE[type]);
        if (!mayResubmit(previous.status) || (await this.repository.isResubmitted(manager, type, previous.id))) {
          throw new IsvContributionsError('NOT_RESUBMITTABLE', { status: previous.status });
        }
      }
      const id = await this.repository.insert(manager, type, {
        organisationId: isv.id,
        kind: type === 'contribution' ? (input.kind ?? null) : null,
        title: input.title,
        description: input.description,
        occurredAt: input.occurredAt,
        submittedBy: principal.id,
        resubmissionOfId,
      });
      const evidence: EvidenceItem[] = [...urls.map((url): EvidenceItem => ({ type: 'url', url })), ...(await this.storeFiles(manager, { type, id, organisationId: isv.id }, files, principal.id))];
      await this.repository.setEvidence(manager, type, id, evidence);
      await this.record(manager, `${type}.submitted`, actor, { type, id, organisationId: isv.id, title: input.title }, { resubmissionOf: resubmissionOfId, occurredAt: input.occurredAt.toISOString(), kind: input.kind ?? null });
      return this.load(type, id, manager);
    });
  }

  /** Changes a record while it waits for review; the reviewed text never changes after a decision. */
  async update(principal: Principal, type: SubmissionType, id: string, changes: SubmissionChanges, actor: Actor): Promise<Submission> {
    this.checkText(type, changes, false);
    return this.repository.dataSource.transaction(async (manager) => {
      const current = await this.load(type, id, manager, true);
      this.assertMayRead(principal, current);
      this.assertManagerOf(principal, current.organisationId);
      this.assertTransition(current, 'edit');
      if (changes.occurredAt && changes.occurredAt.getTime() !== current.occurredAt.getTime()) this.checkOccurredAt(changes.occurredAt);
      const remove = new Set(await this.repository.deleteFiles(manager, type, id, changes.removeFileIds ?? []));
      const keptFiles = current.evidence.filter((e) => e.type === 'file' && !remove.has(e.fileId));
      const urls = changes.evidenceUrls ? this.checkUrls(changes.evidenceUrls) : current.evidence.flatMap((e) => (e.type === 'url' ? [e.url] : []));
      const files = this.checkFiles(changes.files ?? [], keptFiles.length);
      if (urls.length + keptFiles.length + files.length === 0) throw new IsvContributionsError('EVIDENCE_REQUIRED');
      await this.repository.updateFields(manager, type, id, { kind: changes.kind, title: changes.title, description: changes.description, occurredAt: changes.occurredAt });
      const added = await this.storeFiles(manager, current, files, principal.id);
      await this.repository.setEvidence(manager, type, id, [...urls.map((url): EvidenceItem => ({ type: 'url', url })), ...keptFiles, ...added]);
      const changed = Object.entries({ ...changes, files: undefined, removeFileIds: undefined })
        .filter(([, v]) => v !== undefined)
        .map(([k]) => k);
      await this.record(manager, `${type}.edited`, actor, { ...current, title: changes.title ?? current.title }, { changed, filesAdded: added.length, filesRemoved: remove.size });
      return this.load(type, id, manager);
    });
  }

  async withdraw(principal: Principal, type: SubmissionType, id: string, actor: Actor): Promise<Submission> {
    return this.repository.dataSource.transaction(async (manager) => {
      const current = await this.load(type, id, manager, true);
      this.assertMayRead(principal, current);
      this.assertManagerOf(principal, current.organisationId);
      this.assertTransition(current, 'withdraw');
      await this.repository.withdraw(manager, type, id);
      await this.record(manager, `${type}.withdrawn`, actor, current, {});
      return this.load(type, id, manager);
    });
  }

  // ---- staff: review ---------------------------------------------------------------------------

  /**
   * Approves a submitted record. In the same transaction: the score event (and its outbox job
   * `isv.scoreEvent`), the audit entry and the submitter's notification — all or nothing.
   */
  async approve(principal: Principal, type: SubmissionType, id: string, note: string | null, actor: Actor): Promise<Submission> {
    this.assertStaff(principal);
    return this.repository.dataSource.transaction(async (manager) => {
      const current = await this.load(type, id, manager, true);
      this.assertTransition(current, 'approve');
      const text = note?.trim() || null;
      await this.repository.review(manager, type, id, { status: 'approved', reviewerId: principal.id, note: text, at: new Date() });
      await this.scoreEvents.record(manager, {
        organisationId: current.organisationId,
        kind: type === 'contribution' ? 'contribution.approved' : 'product.approved',
        sourceType: type,
        sourceId: id,
        userId: current.submittedBy,
        occurredAt: current.occurredAt,
        detail: { title: current.title, ...(current.kind ? { contributionKind: current.kind } : {}) },
      });
      await this.record(manager, `${type}.approved`, actor, current, { note: text });
      await this.notifySubmitter(manager, current, 'approved', text);
      return this.load(type, id, manager);
    });
  }

  /** Rejects a submitted record; the note (required) tells the manager what to change before resubmitting. */
  async reject(principal: Principal, type: SubmissionType, id: string, note: string | null, actor: Actor): Promise<Submission> {
    this.assertStaff(principal);
    const text = note?.trim() ?? '';
    if (!text) throw new IsvContributionsError('NOTE_REQUIRED');
    return this.repository.dataSource.transaction(async (manager) => {
      const current = await this.load(type, id, manager, true);
      this.assertTransition(current, 'reject');
      await this.repository.review(manager, type, id, { status: 'rejected', reviewerId: principal.id, note: text, at: new Date() });
      await this.record(manager, `${type}.rejected`, actor, current, { note: text });
      await this.notifySubmitter(manager, current, 'rejected', text);
      return this.load(type, id, manager);
    });
  }

  private async notifySubmitter(manager: EntityManager, submission: Submission, decision: 'approved' | 'rejected', note: string | null): Promise<void> {
    const name = `${submission.type}${decision === 'approved' ? 'Approved' : 'Rejected'}`;
    await this.notifications.notify(manager, {
      userId: submission.submittedBy,
      kind: `isvContributions.notify.${name}`,
      params: { title: submission.title, note: note ?? '' },
      link: submissionUrl(submission.type, submission.id),
    });
  }

  private async record(
    manager: EntityManager,
    action: `${SubmissionType}.${'submitted' | 'edited' | 'withdrawn' | 'approved' | 'rejected'}`,
    actor: Actor,
    target: { type: SubmissionType; id: string; organisationId: string; title: string },
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record(
      {
        action,
        actorId: actor.id,
        actorLabel: actor.label,
        targetType: auditTargetOf(target.type),
        targetId: target.id,
        targetLabel: target.title.slice(0, 254),
        organisationId: target.organisationId,
        ip: actor.ip,
        requestId: actor.requestId,
        detail,
      },
      manager,
    );
  }

  // ---- reading ---------------------------------------------------------------------------------

  async list(principal: Principal, type: SubmissionType, isvId: string, filter: Omit<SubmissionFilter, 'organisationId'>, page: PageRequest): Promise<Page<Submission>> {
    const isv = await this.readableIsv(principal, isvId);
    const { items, total } = await this.repository.list(type, { ...filter, organisationId: isv.id }, page);
    return toPage(items, total, page);
  }

  /** Staff: both kinds of record together, oldest first, filtered by ISV, kind and status. */
  async queue(principal: Principal, filter: SubmissionFilter, page: PageRequest): Promise<Page<Submission>> {
    this.assertStaff(principal);
    const { items, total } = await this.repository.queue(filter, page);
    return toPage(items, total, page);
  }

  async get(principal: Principal, type: SubmissionType, id: string): Promise<Submission> {
    const submission = await this.load(type, id);
    this.assertMayRead(principal, submission);
    return submission;
  }

  /** The record page: the record, its evidence, its review history and its resubmission chain. */
  async detail(principal: Principal, type: SubmissionType, id: string): Promise<SubmissionDetail> {
    const submission = await this.get(principal, type, id);
    const [history, chain] = await Promise.all([this.repository.history(type, id), this.repository.chain(type, id)]);
    const isOwner = principal.role === 'isv_manager' && principal.organisationId === submission.organisationId;
    const laterSubmission = chain.some((c) => c.resubmissionOfId === submission.id);
    return {
      submission,
      history,
      chain,
      canEdit: isOwner && nextStatus(submission.status, 'edit') !== null,
      canWithdraw: isOwner && nextStatus(submission.status, 'withdraw') !== null,
      canResubmit: isOwner && mayResubmit(submission.status) && !laterSubmission,
      canReview: principal.role === 'platform_staff' && nextStatus(submission.status, 'approve') !== null,
    };
  }

  /** ISVs for the review queue's filter. */
  async isvOptions(): Promise<{ id: string; name: string }[]> {
    const options = await this.organisations.options();
    return options.filter((o) => o.type === 'isv').map((o) => ({ id: o.id, name: o.name }));
  }

  /** An evidence file, for the owning ISV's manager and staff. */
  async file(principal: Principal, fileId: string): Promise<EvidenceFile> {
    const file = await this.repository.findFile(fileId);
    if (!file) throw new IsvContributionsError('EVIDENCE_FILE_NOT_FOUND');
    if (principal.role !== 'platform_staff' && !(principal.role === 'isv_manager' && principal.organisationId === file.organisationId)) {
      throw new IsvContributionsError('NOT_YOUR_ISV');
    }
    return file;
  }
}
