import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../../infra/queue/jobs';
import { NotificationsService } from './notifications.service';

/**
 * The email job. Mail servers are down for minutes, not seconds: 8 tries with exponential backoff
 * from 30 s spread over about an hour (30 s, 1, 2, 4, 8, 16, 32 min) before the job is left failed
 * for inspection. Its own queue, so a slow SMTP server never delays exam or scoring jobs.
 */
@Injectable()
export class NotificationJobs implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly notifications: NotificationsService,
  ) {}

  onModuleInit(): void {
    this.registry.define({
      name: 'notification.email',
      queue: 'notifications',
      attempts: 8,
      backoffMs: 30_000,
      handler: async ({ notificationId }) => {
        await this.notifications.sendEmail(notificationId);
      },
    });
  }
}
