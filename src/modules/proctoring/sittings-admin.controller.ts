import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { FormErrors, WebForm } from '../../infra/http/web-form';
import { WebPages } from '../../infra/http/web-pages';
import { pickText } from '../question-banks/domain/question';
import { actorOf } from '../organisations/organisations.service';
import { CreateSittingDto, SittingQueryDto, UpdateSittingDto } from './dto/proctoring.dto';
import { localInput, sittingRow } from './proctoring.presenters';
import { SITTING_FILTERS, Sitting } from './proctoring.types';
import { metaOf } from './sittings.api.controller';
import { SittingsService } from './sittings.service';

interface FormValues {
  id: string | null;
  examId: string;
  examTitle: string;
  title: string;
  opensAt: string;
  closesAt: string;
  capacity: string;
  accessCode: string;
  autoAdmit: boolean;
  staggerSeconds: string;
  proctorIds: string[];
  registered: number;
}

const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const ids = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v ? [v] : []);

/** Staff pages: the sittings list, and the form to schedule or change a sitting and assign its proctors. */
@Controller('admin/sittings')
@Roles('platform_staff')
export class SittingsAdminController {
  constructor(
    private readonly sittings: SittingsService,
    private readonly pages: WebPages,
    private readonly forms: WebForm,
  ) {}

  @Get()
  async list(@Query() query: SittingQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const phase = query.phase ?? 'current';
    const page = await this.sittings.list(principal, phase, pageRequest(query));
    const pick = (t: Record<string, string>) => pickText(t, req.locale, ['zh-CN', 'en']);
    return this.pages.render(req, reply, 'proctoring/admin-sittings', 'proctoring.admin.title', {
      page: { ...page, items: page.items.map((s) => sittingRow(s, req.locale, pick)) },
      phases: SITTING_FILTERS,
      query: { phase },
    });
  }

  @Get('new')
  async newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const now = Date.now();
    const opens = new Date(Math.ceil((now + 86400_000) / 3600_000) * 3600_000);
    const values: FormValues = {
      id: null,
      examId: '',
      examTitle: '',
      title: '',
      opensAt: localInput(opens),
      closesAt: localInput(new Date(opens.getTime() + 2 * 3600_000)),
      capacity: '30',
      accessCode: '',
      autoAdmit: false,
      staggerSeconds: '0',
      proctorIds: [],
      registered: 0,
    };
    return this.renderForm(req, reply, values, {});
  }

  @Post()
  async create(@Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const input = { ...body, autoAdmit: body.autoAdmit === 'on' || body.autoAdmit === 'true', proctorIds: ids(body.proctorIds) };
    return this.forms.handle(req, reply, CreateSittingDto, input, {
      run: (dto) => this.sittings.create(dto, actorOf(principal, metaOf(req))),
      success: (sitting) => this.pages.redirect(req, reply, `/admin/sittings/${sitting.id}`, { kind: 'success', key: 'proctoring.admin.created', params: { title: sitting.title, code: sitting.accessCode } }),
      failure: (errors) => this.renderForm(req, reply, this.posted(body, null, 0), errors, 400),
    });
  }

  @Get(':id')
  async edit(@Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const sitting = await this.sittings.get(id);
    return this.renderForm(req, reply, this.valuesOf(sitting, req.locale), {});
  }

  @Post(':id')
  async update(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const current = await this.sittings.get(id);
    const input = {
      ...body,
      autoAdmit: body.autoAdmit === 'on' || body.autoAdmit === 'true',
      regenerateCode: body.regenerateCode === 'on' || body.regenerateCode === 'true',
      proctorIds: ids(body.proctorIds),
    };
    return this.forms.handle(req, reply, UpdateSittingDto, input, {
      run: (dto) => this.sittings.update(id, dto, actorOf(principal, metaOf(req))),
      success: (sitting) => this.pages.redirect(req, reply, `/admin/sittings/${sitting.id}`, { kind: 'success', key: 'proctoring.admin.saved', params: { title: sitting.title } }),
      failure: (errors) =>
        this.renderForm(req, reply, { ...this.posted(body, id, current.registered), examId: current.examId, examTitle: pickText(current.examTitle, req.locale, ['zh-CN', 'en']) }, errors, 400),
    });
  }

  private valuesOf(s: Sitting, locale: string): FormValues {
    return {
      id: s.id,
      examId: s.examId,
      examTitle: pickText(s.examTitle, locale, ['zh-CN', 'en']),
      title: s.title,
      opensAt: localInput(s.opensAt),
      closesAt: localInput(s.closesAt),
      capacity: String(s.capacity),
      accessCode: s.accessCode,
      autoAdmit: s.autoAdmit,
      staggerSeconds: String(s.staggerSeconds),
      proctorIds: s.proctors.map((p) => p.id),
      registered: s.registered,
    };
  }

  /** What was typed, so a mistake loses nothing. */
  private posted(body: Record<string, unknown>, id: string | null, registered: number): FormValues {
    return {
      id,
      examId: text(body.examId),
      examTitle: '',
      title: text(body.title),
      opensAt: text(body.opensAt),
      closesAt: text(body.closesAt),
      capacity: text(body.capacity),
      accessCode: text(body.accessCode),
      autoAdmit: body.autoAdmit === 'on' || body.autoAdmit === 'true',
      staggerSeconds: text(body.staggerSeconds),
      proctorIds: ids(body.proctorIds),
      registered,
    };
  }

  private async renderForm(req: FastifyRequest, reply: FastifyReply, values: FormValues, errors: FormErrors, status = 200) {
    const proctors = (await this.sittings.proctorOptions()).map((p) => ({ ...p, checked: values.proctorIds.includes(p.id) }));
    const exams = (await this.sittings.examOptions(req.locale)).map((e) => ({ ...e, selected: e.id === values.examId }));
    return this.pages.render(req, reply, 'proctoring/admin-sitting-form', values.id ? 'proctoring.admin.edit' : 'proctoring.admin.new', { sitting: values, proctors, exams, errors }, status);
  }
}
