import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { NotificationPageQueryDto } from './dto/notifications.dto';
import { NotificationsService } from './notifications.service';

/** The caller's own notifications through JSON: the same service as the page. */
@ApiTags('notifications')
@Controller('api/v1/me/notifications')
@Authenticated()
export class NotificationsApiController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({ summary: 'My notifications, newest first, rendered in my language, paginated; `unread` counts all unread ones' })
  async list(@Query() query: NotificationPageQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    const [page, unread] = await Promise.all([this.notifications.list(principal.id, req.locale, pageRequest(query)), this.notifications.unreadCount(principal.id)]);
    return { ...page, unread };
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark all my notifications read' })
  async readAll(@CurrentPrincipal() principal: Principal) {
    const marked = await this.notifications.markAllRead(principal.id);
    return { marked, unread: await this.notifications.unreadCount(principal.id) };
  }

  @Post('test')
  @Roles('platform_staff')
  @HttpCode(201)
  @ApiOperation({ summary: 'Staff: send myself a test notification (and email when SMTP is configured) to check delivery' })
  sendTest(@CurrentPrincipal() principal: Principal) {
    return this.notifications.sendTest(principal.id, principal.name);
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: "Mark one of my notifications read; 404 when it does not exist or is someone else's" })
  async read(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    await this.notifications.markRead(principal.id, id);
    return { id, read: true, unread: await this.notifications.unreadCount(principal.id) };
  }
}
