import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { WebPages } from '../../infra/http/web-pages';
import { NotificationPageQueryDto } from './dto/notifications.dto';
import { NotificationsService } from './notifications.service';

/** Back to the page of the list the form was on. */
function listUrl(body: Record<string, unknown>): string {
  const page = Math.floor(Number(body.page));
  return Number.isInteger(page) && page > 1 ? `/notifications?page=${page}` : '/notifications';
}

/** Everyone's notifications page: newest first, unread highlighted, mark one or all read, open the target. */
@Controller('notifications')
@Authenticated()
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly pages: WebPages,
  ) {}

  @Get()
  async list(@Query() query: NotificationPageQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const page = await this.notifications.list(principal.id, req.locale, pageRequest(query));
    return this.pages.render(req, reply, 'notifications/list', 'notifications.page.title', {
      page,
      query: {},
      anyUnread: page.items.some((n) => n.unread) || (req.navBadges?.['/notifications'] ?? 0) > 0,
      canSendTest: principal.role === 'platform_staff',
    });
  }

  @Post('test')
  @Roles('platform_staff')
  async test(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const { emailQueued } = await this.notifications.sendTest(principal.id, principal.name);
    return this.pages.redirect(req, reply, '/notifications', { kind: 'success', key: emailQueued ? 'notifications.page.testSent' : 'notifications.page.testSentInApp' });
  }

  @Post('read-all')
  async readAll(@Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const count = await this.notifications.markAllRead(principal.id);
    return this.pages.redirect(req, reply, listUrl(body), { kind: 'success', key: 'notifications.page.allMarked', params: { count } });
  }

  @Post(':id/read')
  async read(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await this.notifications.markRead(principal.id, id);
    return this.pages.redirect(req, reply, listUrl(body));
  }

  /** Opening a notification marks it read and goes to its target (a form, so no link can mark it for someone). */
  @Post(':id/open')
  async open(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const link = await this.notifications.open(principal.id, id);
    return this.pages.redirect(req, reply, link ?? listUrl(body));
  }
}
