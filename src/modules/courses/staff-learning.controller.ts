import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { WebForm } from '../../infra/http/web-form';
import { WebPages } from '../../infra/http/web-pages';
import { actorOf, OrganisationsService } from '../organisations/organisations.service';
import { CoursesService } from './courses.service';
import { LEARNING_STATUSES, StaffLearningFilter } from './courses.types';
import { AssignFormDto, parseDueDate, StaffLearningQueryDto } from './dto/courses.dto';
import { StaffLearningService } from './staff-learning.service';
import { formText } from './courses.presenters';

const meta = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

const filterOf = (q: StaffLearningQueryDto): StaffLearningFilter => ({
  q: q.q?.trim() || undefined,
  courseId: q.courseId,
  status: q.status,
  organisationId: q.organisationId,
});

/** ISV managers (their staff) and platform staff (everyone): who is learning what, and assigning courses. */
@Controller('staff-learning')
@Roles('isv_manager', 'platform_staff')
export class StaffLearningController {
  constructor(
    private readonly learning: StaffLearningService,
    private readonly courses: CoursesService,
    private readonly organisations: OrganisationsService,
    private readonly pages: WebPages,
    private readonly forms: WebForm,
  ) {}

  @Get()
  async table(
    @Query() query: StaffLearningQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const isStaff = principal.role === 'platform_staff';
    const page = await this.learning.table(principal, filterOf(query), pageRequest(query), req.locale);
    const q = {
      q: query.q ?? '',
      courseId: query.courseId ?? '',
      status: query.status ?? '',
      organisationId: isStaff ? (query.organisationId ?? '') : '',
    };
    return this.pages.render(
      req,
      reply,
      'courses/staff-learning',
      isStaff ? 'courses.staff.titleAll' : 'courses.staff.title',
      {
        page,
        query: q,
        isStaff,
        courses: await this.courses.publishedOptions(req.locale),
        statuses: LEARNING_STATUSES,
        organisations: isStaff ? await this.organisations.options() : [],
      },
    );
  }

  @Get('export.csv')
  async csv(
    @Query() query: StaffLearningQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const csv = await this.learning.csv(principal, filterOf(query), req.locale);
    const stamp = new Date().toISOString().slice(0, 10);
    return reply
      .header('content-disposition', `attachment; filename="staff-learning-${stamp}.csv"`)
      .type('text/csv; charset=utf-8')
      .send(csv);
  }

  @Get('assign')
  async assignForm(
    @Query('courseId') courseId: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.renderAssign(
      req,
      reply,
      principal,
      { courseId: courseId ?? '', userIds: [], emails: '', dueAt: '' },
      {},
    );
  }

  @Post('assign')
  async assign(
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.forms.handle(req, reply, AssignFormDto, body, {
      run: (dto) => {
        const typed = (dto.emails ?? '').split(/[\s,;，；]+/).filter(Boolean);
        return this.courses.assign(
          principal,
          dto.courseId,
          [...(dto.userIds ?? []), ...typed],
          parseDueDate(dto.dueAt),
          actorOf(principal, meta(req)),
        );
      },
      success: (result) =>
        this.pages.redirect(req, reply, '/staff-learning', {
          kind: 'success',
          key: 'courses.flash.assigned',
          params: { count: result.assigned },
        }),
      failure: (errors) => {
        const userIds = Array.isArray(body.userIds)
          ? body.userIds.map(String)
          : typeof body.userIds === 'string'
            ? [body.userIds]
            : [];
        const typed = {
          courseId: formText(body, 'courseId'),
          userIds,
          emails: formText(body, 'emails'),
          dueAt: formText(body, 'dueAt'),
        };
        return this.renderAssign(req, reply, principal, typed, errors, 400);
      },
    });
  }

  private async renderAssign(
    req: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    form: { courseId: string; userIds: string[]; emails: string; dueAt: string },
    errors: Record<string, string>,
    status = 200,
  ) {
    const people = await this.learning.assignable(principal);
    const courses = await this.courses.publishedOptions(req.locale);
    // With a single published course there is nothing to choose.
    const courseId = form.courseId || (courses.length === 1 ? courses[0].id : '');
    return this.pages.render(
      req,
      reply,
      'courses/assign',
      'courses.assign.title',
      {
        form: { ...form, courseId },
        errors,
        courses,
        people: people.map((p) => ({ ...p, checked: form.userIds.includes(p.id) })),
        today: new Date().toISOString().slice(0, 10),
      },
      status,
    );
  }
}
