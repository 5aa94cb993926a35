import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { WebPages } from '../../infra/http/web-pages';
import { AuditService } from './audit.service';
import { AUDIT_ACTIONS } from './audit.types';
import { AuditQueryDto } from './dto/audit-query.dto';

@Controller('admin/audit')
@Roles('platform_staff')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly pages: WebPages,
  ) {}

  @Get()
  async list(@Query() query: AuditQueryDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const page = await this.audit.list(query, pageRequest(query, 50));
    return this.pages.render(req, reply, 'audit/list', 'audit.title', {
      page,
      events: page.items.map((e) => ({ ...e, detailText: Object.keys(e.detail).length ? JSON.stringify(e.detail) : '' })),
      actions: AUDIT_ACTIONS,
      query: {
        action: query.action ?? '',
        actor: query.actor ?? '',
        target: query.target ?? '',
        from: query.from ? query.from.toISOString().slice(0, 10) : '',
        to: query.to ? query.to.toISOString().slice(0, 10) : '',
      },
    });
  }
}
