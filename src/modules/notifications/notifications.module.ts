import { Module, OnModuleInit } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { NavRegistry } from '../../infra/http/nav';
import { Mailer } from './mailer';
import { NotificationsApiController } from './notifications.api.controller';
import { NotificationsController } from './notifications.controller';
import { NotificationJobs } from './notifications.jobs';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { NOTIFICATIONS_HREF, UnreadBadgeInterceptor } from './unread-badge.interceptor';

/**
 * Owns notifications (table `notifications`): in-app, and by email over SMTP when configured.
 * Other modules import this module and call `NotificationsService.notify(manager, …)` inside their
 * transaction; they own their texts (`<kind>.title` / `<kind>.body` in their i18n files).
 */
@Module({
  providers: [NotificationsRepository, NotificationsService, Mailer, NotificationJobs, { provide: APP_INTERCEPTOR, useClass: UnreadBadgeInterceptor }],
  controllers: [NotificationsController, NotificationsApiController],
  exports: [NotificationsService],
})
export class NotificationsModule implements OnModuleInit {
  constructor(private readonly nav: NavRegistry) {}

  onModuleInit(): void {
    // Last in every role's menu; its badge is the unread count (UnreadBadgeInterceptor).
    this.nav.add({ label: 'notifications.nav', href: NOTIFICATIONS_HREF, roles: ['candidate', 'isv_manager', 'proctor', 'platform_staff'], order: 95 });
  }
}
