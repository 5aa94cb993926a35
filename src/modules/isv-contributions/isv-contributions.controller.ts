import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { ClassConstructor } from 'class-transformer';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { AppError } from '../../infra/http/app-error';
import { pageRequest } from '../../infra/http/pagination';
import { FormErrors, WebForm } from '../../infra/http/web-form';
import { WebPages } from '../../infra/http/web-pages';
import { translate } from '../../infra/i18n/i18n';
import { actorOf } from '../organisations/organisations.service';
import {
  ApprovalDto,
  CreateContributionDto,
  CreateProductDto,
  ProductListQueryDto,
  QueueQueryDto,
  RejectionDto,
  SubmissionListQueryDto,
  UpdateContributionDto,
  UpdateProductDto,
} from './dto/isv-contributions.dto';
import { sendFile } from './isv-contributions.api.controller';
import { IsvContributionsError } from './isv-contributions.errors';
import { COLLECTION, metaOf } from './isv-contributions.presenters';
import { IsvContributionsService, submissionUrl } from './isv-contributions.service';
import { CONTRIBUTION_KINDS, QUEUE_KINDS, Submission, SUBMISSION_STATUSES, SubmissionStatus, SubmissionType } from './isv-contributions.types';
import { MultipartForm, readMultipartForm } from './multipart-form';
import { ACCEPTED_EXTENSIONS, backfillEarliest, chinaDay, MAX_EVIDENCE_FILE_BYTES, MAX_EVIDENCE_FILES } from './submission-rules';

const STATUS_BADGE: Record<SubmissionStatus, string> = { submitted: 'in_progress', approved: 'published', rejected: 'overdue', withdrawn: 'archived' };

/** A record as the pages show it. */
function row(s: Submission) {
  return {
    ...s,
    occurredDay: chinaDay(s.occurredAt),
    badge: STATUS_BADGE[s.status],
    url: submissionUrl(s.type, s.id),
    links: s.evidence.flatMap((e) => (e.type === 'url' ? [e] : [])),
    files: s.evidence.flatMap((e) => (e.type === 'file' ? [{ ...e, sizeKb: Math.max(1, Math.round(e.sizeBytes / 1024)) }] : [])),
  };
}

interface FormValues {
  kind: string;
  title: string;
  description: string;
  occurredAt: string;
  evidenceUrls: string;
  resubmissionOf: string;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? v.join('\n') : '');

/**
 * Pages for ISV managers (their own ISV's contributions and co-built products: list, submit with
 * evidence, edit or withdraw while waiting, resubmit after a rejection) and for platform staff
 * (the review queue, and approve or reject on each record's page).
 */
@Controller()
@Roles('isv_manager', 'platform_staff')
export class IsvContributionsController {
  constructor(
    private readonly submissions: IsvContributionsService,
    private readonly pages: WebPages,
    private readonly forms: WebForm,
  ) {}

  // ---- contributions ---------------------------------------------------------------------------

  @Get('isv/contributions')
  contributions(@Query() query: SubmissionListQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.list(req, reply, principal, 'contribution', { status: query.status, kind: query.kind }, pageRequest(query));
  }

  @Get('isv/contributions/new')
  @Roles('isv_manager')
  newContribution(@Query('resubmit') resubmit: string | undefined, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.newForm(req, reply, principal, 'contribution', resubmit);
  }

  @Post('isv/contributions')
  @Roles('isv_manager')
  submitContribution(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.create(req, reply, principal, 'contribution', CreateContributionDto);
  }

  @Get('isv/contributions/:id')
  contribution(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.detail(req, reply, principal, 'contribution', id, {}, '');
  }

  @Get('isv/contributions/:id/edit')
  @Roles('isv_manager')
  editContribution(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.editForm(req, reply, principal, 'contribution', id);
  }

  @Post('isv/contributions/:id/edit')
  @Roles('isv_manager')
  updateContribution(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.update(req, reply, principal, 'contribution', id, UpdateContributionDto);
  }

  @Post('isv/contributions/:id/withdraw')
  @Roles('isv_manager')
  withdrawContribution(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.withdraw(req, reply, principal, 'contribution', id);
  }

  @Post('isv/contributions/:id/approval')
  @Roles('platform_staff')
  approveContribution(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.review(req, reply, principal, 'contribution', id, 'approve', body);
  }

  @Post('isv/contributions/:id/rejection')
  @Roles('platform_staff')
  rejectContribution(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.review(req, reply, principal, 'contribution', id, 'reject', body);
  }

  // ---- products --------------------------------------------------------------------------------

  @Get('isv/products')
  products(@Query() query: ProductListQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.list(req, reply, principal, 'product', { status: query.status }, pageRequest(query));
  }

  @Get('isv/products/new')
  @Roles('isv_manager')
  newProduct(@Query('resubmit') resubmit: string | undefined, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.newForm(req, reply, principal, 'product', resubmit);
  }

  @Post('isv/products')
  @Roles('isv_manager')
  submitProduct(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.create(req, reply, principal, 'product', CreateProductDto);
  }

  @Get('isv/products/:id')
  product(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.detail(req, reply, principal, 'product', id, {}, '');
  }

  @Get('isv/products/:id/edit')
  @Roles('isv_manager')
  editProduct(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.editForm(req, reply, principal, 'product', id);
  }

  @Post('isv/products/:id/edit')
  @Roles('isv_manager')
  updateProduct(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.update(req, reply, principal, 'product', id, UpdateProductDto);
  }

  @Post('isv/products/:id/withdraw')
  @Roles('isv_manager')
  withdrawProduct(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.withdraw(req, reply, principal, 'product', id);
  }

  @Post('isv/products/:id/approval')
  @Roles('platform_staff')
  approveProduct(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.review(req, reply, principal, 'product', id, 'approve', body);
  }

  @Post('isv/products/:id/rejection')
  @Roles('platform_staff')
  rejectProduct(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.review(req, reply, principal, 'product', id, 'reject', body);
  }

  // ---- both ------------------------------------------------------------------------------------

  @Get('isv/evidence/:fileId')
  async evidence(@Param('fileId') fileId: string, @CurrentPrincipal() principal: Principal, @Res() reply: FastifyReply) {
    return sendFile(reply, await this.submissions.file(principal, fileId));
  }

  /** Staff: contributions and products waiting for review (or any status), oldest first. */
  @Get('admin/isv-submissions')
  @Roles('platform_staff')
  async queue(@Query() query: QueueQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const status = query.status ?? 'submitted';
    const page = await this.submissions.queue(principal, { organisationId: query.isv, kind: query.kind, status: status === 'all' ? undefined : status }, pageRequest(query));
    return this.pages.render(req, reply, 'isv-contributions/queue', 'isvContributions.queue.title', {
      page: { ...page, items: page.items.map(row) },
      query: { isv: query.isv ?? '', kind: query.kind ?? '', status },
      isvs: await this.submissions.isvOptions(),
      kinds: QUEUE_KINDS,
      statuses: [...SUBMISSION_STATUSES, 'all'],
    });
  }

  // ---- shared steps ----------------------------------------------------------------------------

  private async list(req: FastifyRequest, reply: FastifyReply, principal: Principal, type: SubmissionType, filter: { status?: SubmissionStatus; kind?: (typeof CONTRIBUTION_KINDS)[number] }, page: { page: number; perPage: number }) {
    // Staff have no ISV of their own: their list is the review queue, filtered to this type.
    if (principal.role === 'platform_staff') return reply.redirect(`/admin/isv-submissions?status=all${type === 'product' ? '&kind=product' : ''}`, 303);
    if (!principal.organisationId) throw new IsvContributionsError('NOT_YOUR_ISV');
    const result = await this.submissions.list(principal, type, principal.organisationId, filter, page);
    return this.pages.render(req, reply, 'isv-contributions/list', type === 'contribution' ? 'isvContributions.contributions.title' : 'isvContributions.products.title', {
      type,
      collection: COLLECTION[type],
      page: { ...result, items: result.items.map(row) },
      query: { status: filter.status ?? '', kind: filter.kind ?? '' },
      statuses: SUBMISSION_STATUSES,
      kinds: type === 'contribution' ? CONTRIBUTION_KINDS : [],
    });
  }

  private async newForm(req: FastifyRequest, reply: FastifyReply, principal: Principal, type: SubmissionType, resubmit: string | undefined) {
    let values: FormValues = { kind: '', title: '', description: '', occurredAt: '', evidenceUrls: '', resubmissionOf: '' };
    let previous: ReturnType<typeof row> | null = null;
    if (resubmit) {
      const detail = await this.submissions.detail(principal, type, resubmit);
      if (!detail.canResubmit) throw new IsvContributionsError('NOT_RESUBMITTABLE', { status: detail.submission.status });
      const s = detail.submission;
      previous = row(s);
      values = { kind: s.kind ?? '', title: s.title, description: s.description, occurredAt: chinaDay(s.occurredAt), evidenceUrls: previous.links.map((l) => l.url).join('\n'), resubmissionOf: s.id };
    }
    return this.renderForm(req, reply, type, { mode: 'new', values, errors: {}, previous, existingFiles: [] });
  }

  private async create(req: FastifyRequest, reply: FastifyReply, principal: Principal, type: SubmissionType, dto: ClassConstructor<CreateContributionDto | CreateProductDto>) {
    const form = await readMultipartForm(req);
    const values = this.valuesOf(form);
    return this.forms.handle(req, reply, dto, form.fields, {
      run: async (body) => {
        if (form.problem) throw form.problem;
        if (!principal.organisationId) throw new IsvContributionsError('NOT_YOUR_ISV');
        const { title, kind } = type === 'contribution' ? (body as CreateContributionDto) : { title: (body as CreateProductDto).name, kind: undefined };
        return this.submissions.submit(
          principal,
          type,
          principal.organisationId,
          { kind, title, description: body.description, occurredAt: body.occurredAt, evidenceUrls: body.evidenceUrls ?? [], files: form.files },
          actorOf(principal, metaOf(req)),
          body.resubmissionOf ?? null,
        );
      },
      success: (s) => this.pages.redirect(req, reply, submissionUrl(type, s.id), { kind: 'success', key: 'isvContributions.flash.submitted' }),
      failure: (errors) => this.renderForm(req, reply, type, { mode: 'new', values, errors: { ...errors, ...(form.files.length ? { filesAgain: translate(req.locale, 'isvContributions.form.filesAgain') } : {}) }, previous: null, existingFiles: [] }, 400),
    });
  }

  private async editForm(req: FastifyRequest, reply: FastifyReply, principal: Principal, type: SubmissionType, id: string) {
    const detail = await this.submissions.detail(principal, type, id);
    if (!detail.canEdit) throw new IsvContributionsError('NOT_SUBMITTED', { status: detail.submission.status });
    const s = row(detail.submission);
    return this.renderForm(req, reply, type, {
      mode: 'edit',
      id,
      values: { kind: s.kind ?? '', title: s.title, description: s.description, occurredAt: s.occurredDay, evidenceUrls: s.links.map((l) => l.url).join('\n'), resubmissionOf: '' },
      errors: {},
      previous: null,
      existingFiles: s.files,
    });
  }

  private async update(req: FastifyRequest, reply: FastifyReply, principal: Principal, type: SubmissionType, id: string, dto: ClassConstructor<UpdateContributionDto | UpdateProductDto>) {
    const form = await readMultipartForm(req);
    const values = this.valuesOf(form);
    // The form always sends the link box; empty means "no links" (an API client leaves the field out instead).
    const fields = { ...form.fields, evidenceUrls: text(form.fields.evidenceUrls) };
    return this.forms.handle(req, reply, dto, fields, {
      run: async (body) => {
        if (form.problem) throw form.problem;
        const { title, kind } = type === 'contribution' ? (body as UpdateContributionDto) : { title: (body as UpdateProductDto).name, kind: undefined };
        return this.submissions.update(
          principal,
          type,
          id,
          { kind, title, description: body.description, occurredAt: body.occurredAt, evidenceUrls: body.evidenceUrls ?? [], files: form.files, removeFileIds: body.removeFileIds },
          actorOf(principal, metaOf(req)),
        );
      },
      success: (s) => this.pages.redirect(req, reply, submissionUrl(type, s.id), { kind: 'success', key: 'isvContributions.flash.updated' }),
      failure: async (errors) => {
        const detail = await this.submissions.detail(principal, type, id);
        return this.renderForm(req, reply, type, { mode: 'edit', id, values, errors, previous: null, existingFiles: row(detail.submission).files }, 400);
      },
    });
  }

  private async withdraw(req: FastifyRequest, reply: FastifyReply, principal: Principal, type: SubmissionType, id: string) {
    try {
      await this.submissions.withdraw(principal, type, id, actorOf(principal, metaOf(req)));
      return this.pages.redirect(req, reply, submissionUrl(type, id), { kind: 'success', key: 'isvContributions.flash.withdrawn' });
    } catch (error) {
      if (error instanceof AppError && error.status === 409) return this.pages.redirect(req, reply, submissionUrl(type, id), { kind: 'error', key: error.messageKey, params: error.params });
      throw error;
    }
  }

  private review(req: FastifyRequest, reply: FastifyReply, principal: Principal, type: SubmissionType, id: string, decision: 'approve' | 'reject', body: Record<string, unknown>) {
    const input = { note: typeof body.note === 'string' ? body.note : undefined };
    const actor = actorOf(principal, metaOf(req));
    return decision === 'approve'
      ? this.forms.handle(req, reply, ApprovalDto, input, {
          run: (dto) => this.submissions.approve(principal, type, id, dto.note ?? null, actor),
          success: () => this.pages.redirect(req, reply, submissionUrl(type, id), { kind: 'success', key: 'isvContributions.flash.approved' }),
          failure: (errors) => this.detail(req, reply, principal, type, id, errors, input.note ?? '', 400),
        })
      : this.forms.handle(req, reply, RejectionDto, input, {
          run: (dto) => this.submissions.reject(principal, type, id, dto.note, actor),
          success: () => this.pages.redirect(req, reply, submissionUrl(type, id), { kind: 'success', key: 'isvContributions.flash.rejected' }),
          failure: (errors) => this.detail(req, reply, principal, type, id, errors, input.note ?? '', 400),
        });
  }

  private async detail(req: FastifyRequest, reply: FastifyReply, principal: Principal, type: SubmissionType, id: string, errors: FormErrors, note: string, status = 200) {
    const detail = await this.submissions.detail(principal, type, id);
    const s = detail.submission;
    return this.pages.render(
      req,
      reply,
      'isv-contributions/detail',
      type === 'contribution' ? 'isvContributions.contribution.title' : 'isvContributions.product.title',
      {
        type,
        collection: COLLECTION[type],
        record: row(s),
        history: detail.history.map((h) => {
          const key = `isvContributions.history.${h.action}`;
          const label = translate(req.locale, key);
          return { ...h, label: label === key ? h.action : label };
        }),
        chain: detail.chain.map((c) => ({ ...row(c), current: c.id === s.id })),
        canEdit: detail.canEdit,
        canWithdraw: detail.canWithdraw,
        canResubmit: detail.canResubmit,
        canReview: detail.canReview,
        staff: principal.role === 'platform_staff',
        errors,
        note,
      },
      status,
    );
  }

  private valuesOf(form: MultipartForm): FormValues {
    return {
      kind: text(form.fields.kind),
      title: text(form.fields.title ?? form.fields.name),
      description: text(form.fields.description),
      occurredAt: text(form.fields.occurredAt),
      evidenceUrls: text(form.fields.evidenceUrls),
      resubmissionOf: text(form.fields.resubmissionOf),
    };
  }

  private renderForm(
    req: FastifyRequest,
    reply: FastifyReply,
    type: SubmissionType,
    form: { mode: 'new' | 'edit'; id?: string; values: FormValues; errors: FormErrors; previous: ReturnType<typeof row> | null; existingFiles: ReturnType<typeof row>['files'] },
    status = 200,
  ) {
    const now = new Date();
    const titleKey = `isvContributions.${type}.${form.mode === 'new' ? (form.values.resubmissionOf ? 'resubmitTitle' : 'newTitle') : 'editTitle'}`;
    const base = type === 'contribution' ? '/isv/contributions' : '/isv/products';
    return this.pages.render(
      req,
      reply,
      'isv-contributions/form',
      titleKey,
      {
        type,
        collection: COLLECTION[type],
        action: form.mode === 'new' ? base : `${base}/${form.id}/edit`,
        cancel: form.mode === 'new' ? (form.values.resubmissionOf ? `${base}/${form.values.resubmissionOf}` : base) : `${base}/${form.id}`,
        mode: form.mode,
        values: form.values,
        errors: form.errors,
        previous: form.previous,
        existingFiles: form.existingFiles,
        kinds: CONTRIBUTION_KINDS,
        earliest: chinaDay(backfillEarliest(now)),
        today: chinaDay(now),
        accept: ACCEPTED_EXTENSIONS.map((e) => `.${e}`).join(','),
        acceptedText: ACCEPTED_EXTENSIONS.map((e) => e.toUpperCase()).join(', '),
        maxFiles: MAX_EVIDENCE_FILES,
        maxMb: MAX_EVIDENCE_FILE_BYTES / (1024 * 1024),
      },
      status,
    );
  }
}
