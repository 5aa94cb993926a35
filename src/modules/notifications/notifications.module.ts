import { Module } from '@nestjs/common';
import { Mailer } from './mailer';
import { NotificationJobs } from './notifications.jobs';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

/**
 * Owns notifications (table `notifications`): in-app, and by email over SMTP when configured.
 * Other modules import this module and call `NotificationsService.notify(manager, …)` inside their
 * transaction; they own their texts (`<kind>.title` / `<kind>.body` in their i18n files).
 */
@Module({
  providers: [NotificationsRepository, NotificationsService, Mailer, NotificationJobs],
  exports: [NotificationsService],
})
export class NotificationsModule {}
