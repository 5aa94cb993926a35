import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { ClassConstructor } from 'class-transformer';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { NotFound } from '../../infra/http/app-error';
import { pageRequest } from '../../infra/http/pagination';
import { WebForm } from '../../infra/http/web-form';
import { WebPages } from '../../infra/http/web-pages';
import { translate } from '../../infra/i18n/i18n';
import { ATTEMPT_STATES } from '../exams/domain/attempt-state';
import { pickText } from '../question-banks/domain/question';
import { actorOf } from '../organisations/organisations.service';
import { CONSOLE_POLL_MS } from './console-stream';
import { AddTimeDto, AdmitDto, MessageDto, NoteDto, ReasonDto, SittingQueryDto, TerminateDto } from './dto/proctoring.dto';
import { ConsoleAction, ConsoleActionKind, ProctorConsoleService } from './proctor-console.service';
import { blankConsoleRow, consoleRowForPage, firstError, redirectWithMessage, sittingRow } from './proctoring.presenters';
import { ID_DOCUMENT_TYPES, SITTING_FILTERS } from './proctoring.types';
import { metaOf } from './sittings.api.controller';
import { SittingsService } from './sittings.service';

/** The web form of each console action: its DTO and how the DTO becomes the action. */
const ACTIONS: Record<string, { kind: ConsoleActionKind; dto: ClassConstructor<object>; build: (dto: never) => ConsoleAction }> = {
  admission: { kind: 'admit', dto: AdmitDto, build: (d: AdmitDto) => ({ kind: 'admit', documentType: d.documentType, documentLast4: d.documentLast4, note: d.note ?? null }) },
  pause: { kind: 'pause', dto: ReasonDto, build: (d: ReasonDto) => ({ kind: 'pause', reason: d.reason ?? null }) },
  resume: { kind: 'resume', dto: ReasonDto, build: (d: ReasonDto) => ({ kind: 'resume', reason: d.reason ?? null }) },
  time: { kind: 'addTime', dto: AddTimeDto, build: (d: AddTimeDto) => ({ kind: 'addTime', minutes: d.minutes, reason: d.reason ?? null }) },
  messages: { kind: 'message', dto: MessageDto, build: (d: MessageDto) => ({ kind: 'message', text: d.text }) },
  termination: { kind: 'terminate', dto: TerminateDto, build: (d: TerminateDto) => ({ kind: 'terminate', reason: d.reason }) },
  notes: { kind: 'note', dto: NoteDto, build: (d: NoteDto) => ({ kind: 'note', text: d.text, flag: d.flag ?? false }) },
};

/** Labels the console script needs to draw rows (states, flags, documents) in the reader's language. */
function consoleLabels(locale: FastifyRequest['locale']) {
  const t = (key: string) => translate(locale, key);
  return {
    states: Object.fromEntries(ATTEMPT_STATES.map((s) => [s, t(`proctoring.states.${s}`)])),
    documents: Object.fromEntries(ID_DOCUMENT_TYPES.map((d) => [d, t(`proctoring.documents.${d}`)])),
    notBefore: t('proctoring.console.notBefore'),
    paused: t('proctoring.console.pausedClock'),
    live: t('proctoring.console.live'),
    reconnecting: t('proctoring.console.reconnecting'),
    closed: t('proctoring.console.streamClosed'),
    done: t('proctoring.console.done'),
    failed: t('proctoring.console.failed'),
    never: t('proctoring.console.never'),
    secondsAgo: t('proctoring.console.secondsAgo'),
    minutesAgo: t('proctoring.console.minutesAgo'),
    checkedBy: t('proctoring.console.checkedBy'),
    added: t('proctoring.console.added'),
    confirmTerminate: t('proctoring.console.confirmTerminate'),
  };
}

/** Proctors' pages: their sittings, and the live console of one sitting. */
@Controller('proctor')
@Roles('proctor', 'platform_staff')
export class ProctorController {
  constructor(
    private readonly sittings: SittingsService,
    private readonly console: ProctorConsoleService,
    private readonly pages: WebPages,
    private readonly forms: WebForm,
  ) {}

  @Get()
  async home(@Query() query: SittingQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const phase = query.phase ?? 'current';
    const page = await this.sittings.list(principal, phase, pageRequest(query));
    const pick = (t: Record<string, string>) => pickText(t, req.locale, ['zh-CN', 'en']);
    return this.pages.render(req, reply, 'proctoring/proctor-home', 'proctoring.proctor.title', {
      page: { ...page, items: page.items.map((s) => sittingRow(s, req.locale, pick)) },
      phases: SITTING_FILTERS,
      query: { phase },
    });
  }

  @Get('sittings/:id')
  async consolePage(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const snapshot = await this.console.snapshot({ ...principal, locale: req.locale }, id);
    const counts: Record<string, number> = Object.fromEntries(ATTEMPT_STATES.map((state) => [state, 0]));
    for (const a of snapshot.attempts) counts[a.state] = (counts[a.state] ?? 0) + 1;
    const finished = ['submitted', 'auto_submitted', 'graded', 'under_review', 'passed', 'failed', 'invalidated'];
    return this.pages.render(req, reply, 'proctoring/console', 'proctoring.console.title', {
      title: snapshot.sitting.title,
      snapshot,
      rows: snapshot.attempts.map((a) => consoleRowForPage(a, req.locale)),
      counts,
      finishedCount: snapshot.attempts.filter((a) => finished.includes(a.state)).length,
      flaggedCount: snapshot.attempts.filter((a) => a.flagged).length,
      documentTypes: ID_DOCUMENT_TYPES,
      blank: blankConsoleRow(snapshot.sitting.id),
      clientData: { sittingId: snapshot.sitting.id, serverTime: snapshot.serverTime, pollMs: CONSOLE_POLL_MS, labels: consoleLabels(req.locale) },
    });
  }

  /** The console's forms without JavaScript (the script sends the same fields to the JSON API). */
  @Post('attempts/:attemptId/:action')
  async act(
    @Param('attemptId') attemptId: string,
    @Param('action') name: string,
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const spec = Object.prototype.hasOwnProperty.call(ACTIONS, name) ? ACTIONS[name] : undefined;
    if (!spec) throw new NotFound();
    const back = typeof body.sittingId === 'string' && /^[0-9a-f-]{36}$/i.test(body.sittingId) ? `/proctor/sittings/${body.sittingId}` : '/proctor';
    const fields = { ...body };
    delete fields.sittingId;
    return this.forms.handle(req, reply, spec.dto, fields, {
      run: (dto) => this.console.act(principal, attemptId, spec.build(dto as never), actorOf(principal, metaOf(req))),
      success: (row) => redirectWithMessage(req, reply, `/proctor/sittings/${row.sittingId}#attempt-${row.id}`, 'success', translate(req.locale, `proctoring.console.did.${spec.kind}`, { name: row.name })),
      failure: (errors) => redirectWithMessage(req, reply, back, 'error', firstError(errors)),
    });
  }
}
