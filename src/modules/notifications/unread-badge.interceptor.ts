import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { from, Observable, switchMap } from 'rxjs';
import { isApiRequest } from '../../infra/http/exception.filter';
import { NotificationsService } from './notifications.service';

/** The menu entry of the notifications page; its badge is the unread count. */
export const NOTIFICATIONS_HREF = '/notifications';

/**
 * Puts the signed-in person's unread count on the request before a web page is rendered, so the
 * layout's menu can show it (WebContext reads `request.navBadges`). It runs after the access
 * guard (the principal is known) and only for web pages: the JSON API and lean routes skip it.
 */
@Injectable()
export class UnreadBadgeInterceptor implements NestInterceptor {
  constructor(private readonly notifications: NotificationsService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = request.principal;
    if (!principal || isApiRequest(request)) return next.handle();
    return from(this.notifications.unreadCount(principal.id)).pipe(
      switchMap((count) => {
        request.navBadges = { ...request.navBadges, [NOTIFICATIONS_HREF]: count };
        return next.handle();
      }),
    );
  }
}
