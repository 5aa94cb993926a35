import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LOCALES, translate } from '../i18n/i18n';
import { NavRegistry } from './nav';

declare module 'fastify' {
  interface FastifyRequest {
    /** Counts shown next to menu entries, by href (e.g. unread notifications), set by a module before the page renders. */
    navBadges?: Record<string, number>;
  }
}

/** What every page's layout needs: who is signed in, their menu, language, CSRF token, flash. */
@Injectable()
export class WebContext {
  constructor(private readonly nav: NavRegistry) {}

  base(request: FastifyRequest, reply: FastifyReply, title?: string): Record<string, unknown> {
    const principal = request.principal ?? null;
    const path = request.url.split('?')[0];
    const session = (request as Partial<FastifyRequest>).session;
    let flash: unknown = null;
    if (session && typeof session.get === 'function') {
      flash = session.get('flash') ?? null;
      if (flash) session.set('flash', undefined);
    }
    let csrfToken = '';
    if (session && typeof session.get === 'function' && typeof reply.generateCsrf === 'function') {
      csrfToken = reply.generateCsrf();
    }
    return {
      locale: request.locale,
      locales: LOCALES.map((code) => ({ code, label: translate(code, 'locale.name'), current: code === request.locale })),
      title: title ? translate(request.locale, title) : null,
      user: principal ? { id: principal.id, name: principal.name, email: principal.email, role: principal.role } : null,
      nav: principal
        ? this.nav.for(principal.role).map((item) => ({
            label: item.label,
            href: item.href,
            current: item.href === '/' ? path === '/' : path === item.href || path.startsWith(item.href + '/'),
            badge: request.navBadges?.[item.href] ?? 0,
          }))
        : [],
      csrfToken,
      requestId: request.id,
      flash,
      currentPath: request.url,
    };
  }
}
