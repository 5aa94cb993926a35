import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { translate, MessageParams } from '../i18n/i18n';
import { ViewRenderer } from '../views/view-renderer';
import { WebContext } from './web-context';

/** How web controllers answer: render a page in the layout, or redirect after a form (303). */
@Injectable()
export class WebPages {
  constructor(
    private readonly views: ViewRenderer,
    private readonly web: WebContext,
  ) {}

  render(
    request: FastifyRequest,
    reply: FastifyReply,
    template: string,
    titleKey: string,
    data: Record<string, unknown> = {},
    status = 200,
  ): FastifyReply {
    const html = this.views.render(template, { ...this.web.base(request, reply, titleKey), ...data });
    return reply.status(status).type('text/html; charset=utf-8').send(html);
  }

  redirect(
    request: FastifyRequest,
    reply: FastifyReply,
    url: string,
    flash?: { kind: 'success' | 'error' | 'info'; key: string; params?: MessageParams },
  ): FastifyReply {
    if (flash) request.session.set('flash', { kind: flash.kind, message: translate(request.locale, flash.key, flash.params) });
    return reply.redirect(url, 303);
  }
}
