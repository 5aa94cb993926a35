import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../infra/config/config';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { Locale } from '../../infra/i18n/i18n';
import { Outbox } from '../../infra/queue/outbox';
import { Mailer } from './mailer';
import { KIND_PATTERN, missingKindKeys, readerLocale, renderEmail, renderNotification } from './notification-render';
import { NotificationsError } from './notifications.errors';
import { NotificationsRepository } from './notifications.repository';
import { NotificationParams, NotificationRecord, NotificationView, NotifyInput } from './notifications.types';

declare module '../../infra/queue/jobs' {
  interface JobPayloads {
    /** Emails one notification to its reader; handled in this module (notifications.jobs.ts). */
    'notification.email': { notificationId: string };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PARAM_NAME = /^\w{1,60}$/;

export type EmailOutcome = 'sent' | 'alreadySent' | 'notFound' | 'notConfigured' | 'recipientInactive';

/**
 * In-app notifications and their emails. Other modules call `notify` inside their own use case's
 * transaction: the notification and its email job commit or roll back with the change that caused
 * them. Text is never stored: a kind (an i18n key prefix) and its parameters are, and they are
 * rendered in the reader's language when shown or sent. This module never decides *when* to
 * notify; the calling module does.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger('notifications');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: NotificationsRepository,
    private readonly outbox: Outbox,
    private readonly mailer: Mailer,
  ) {}

  /**
   * Stores a notification for `userId` in the caller's transaction and, when `email` is not false
   * and SMTP is configured, queues its email through the outbox (job `notification.email`).
   * Returns the notification id.
   */
  async notify(manager: EntityManager, input: NotifyInput): Promise<string> {
    const params = this.checkInput(input);
    const link = input.link ?? null;
    const email = input.email !== false && this.mailer.configured;
    const id = await this.repository.insert(manager, { userId: input.userId, kind: input.kind, params, link, emailStatus: email ? 'pending' : 'none' });
    if (id === null) throw new NotificationsError('NOTIFICATION_INVALID', { reason: `user ${input.userId} does not exist` });
    if (email) await this.outbox.add(manager, 'notification.email', { notificationId: id }, { jobId: `notification.email-${id}` });
    return id;
  }

  /**
   * A test notification to oneself (staff), by email too when SMTP is configured: the way to
   * check SMTP_URL and MAIL_FROM on a running system. Returns whether an email was queued.
   */
  async sendTest(userId: string, name: string): Promise<{ id: string; emailQueued: boolean }> {
    const id = await this.dataSource.transaction((manager) =>
      this.notify(manager, { userId, kind: 'notifications.kinds.test', params: { name }, link: '/notifications' }),
    );
    return { id, emailQueued: this.mailer.configured };
  }

  /** How many of the user's notifications are unread (the badge in the layout). */
  unreadCount(userId: string): Promise<number> {
    return this.repository.unreadCount(userId);
  }

  /** The user's notifications, newest first, rendered in `locale`. */
  async list(userId: string, locale: Locale, request: PageRequest): Promise<Page<NotificationView>> {
    const { items, total } = await this.repository.pageForUser(userId, request);
    return toPage(
      items.map((n) => this.view(n, locale)),
      total,
      request,
    );
  }

  /** Marks one of the user's own notifications read; someone else's is not found. Marking twice keeps the first time. */
  async markRead(userId: string, notificationId: string): Promise<void> {
    await this.open(userId, notificationId);
  }

  /** Marks one of the user's own notifications read and returns where it leads (null: nowhere). */
  async open(userId: string, notificationId: string): Promise<string | null> {
    if (!UUID.test(notificationId)) throw new NotificationsError('NOTIFICATION_NOT_FOUND');
    const found = await this.dataSource.transaction((manager) => this.repository.markRead(manager, userId, notificationId));
    if (!found) throw new NotificationsError('NOTIFICATION_NOT_FOUND');
    return found.link;
  }

  /** Marks every unread notification of the user read; returns how many changed. */
  markAllRead(userId: string): Promise<number> {
    return this.dataSource.transaction((manager) => this.repository.markAllRead(manager, userId));
  }

  /**
   * The email job's work: renders the notification in its reader's language and sends it. Safe to
   * run twice (an email already sent is not sent again). A failure is recorded on the notification
   * and rethrown so BullMQ retries with backoff; the in-app notification is untouched.
   */
  async sendEmail(notificationId: string): Promise<EmailOutcome> {
    const source = await this.repository.findForEmail(notificationId);
    if (!source) return 'notFound';
    if (source.emailStatus === 'sent') return 'alreadySent';
    if (!this.mailer.configured) {
      // Queued while SMTP was configured, run by a process without it: keep it visible rather than lose it silently.
      await this.repository.recordEmailFailed(notificationId, 'SMTP is not configured in the worker (SMTP_URL is unset)');
      return 'notConfigured';
    }
    if (!source.recipientActive) {
      await this.repository.recordEmailSkipped(notificationId, 'the recipient account is deactivated');
      return 'recipientInactive';
    }
    const locale = readerLocale(source.recipientLocale);
    const email = renderEmail({
      locale,
      kind: source.kind,
      params: source.params,
      link: source.link,
      recipientName: source.recipientName,
      publicBaseUrl: this.config.publicBaseUrl,
    });
    try {
      await this.mailer.send({ address: source.recipientEmail, name: source.recipientName }, email);
    } catch (error) {
      const message = this.redact(error instanceof Error ? error.message : String(error)).slice(0, 1000);
      await this.repository.recordEmailFailed(notificationId, message);
      throw new Error(`notification ${notificationId}: email not sent: ${message}`);
    }
    await this.repository.recordEmailSent(notificationId);
    return 'sent';
  }

  private view(record: NotificationRecord, locale: Locale): NotificationView {
    const { title, body } = renderNotification(locale, record.kind, record.params);
    return {
      id: record.id,
      kind: record.kind,
      title,
      body,
      link: record.link,
      createdAt: record.createdAt,
      readAt: record.readAt,
      unread: record.readAt === null,
      emailStatus: record.emailStatus,
    };
  }

  /** A calling module's mistake is a programming error: say exactly what to fix. */
  private checkInput(input: NotifyInput): NotificationParams {
    const invalid = (reason: string) => new NotificationsError('NOTIFICATION_INVALID', { reason });
    if (!UUID.test(input.userId)) throw invalid(`userId "${input.userId}" is not a uuid`);
    if (input.kind.length > 60 || !KIND_PATTERN.test(input.kind)) {
      throw invalid(`kind "${input.kind}" must be a dotted i18n key prefix of at most 60 characters, e.g. certificates.notifications.expiring`);
    }
    const missing = missingKindKeys(input.kind);
    if (missing.length) {
      const reason = `kind "${input.kind}" has no text for ${missing.join(', ')}: add <kind>.title and <kind>.body to the module's i18n files`;
      // Loud where it can be fixed; in production the notification still goes out (shown by its kind) rather than undoing the caller's change.
      if (this.config.env !== 'production') throw invalid(reason);
      this.logger.error(reason);
    }
    const link = input.link ?? null;
    if (link !== null && (link.length > 500 || !((link.startsWith('/') && !link.startsWith('//')) || /^https?:\/\/[^\s]+$/i.test(link)))) {
      throw invalid(`link "${link.slice(0, 80)}" must be an app path starting with "/" or an http(s) URL, at most 500 characters`);
    }
    const params: NotificationParams = {};
    for (const [name, value] of Object.entries(input.params ?? {})) {
      if (!PARAM_NAME.test(name)) throw invalid(`parameter name "${name}" must be letters, digits or "_"`);
      if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'string') throw invalid(`parameter "${name}" must be a string or a finite number`);
      params[name] = value;
    }
    return params;
  }

  /** Error messages from the SMTP client must not carry the SMTP password. */
  private redact(message: string): string {
    const url = this.config.mail.smtpUrl;
    if (!url) return message;
    let redacted = message.split(url).join('[SMTP_URL]');
    try {
      const password = decodeURIComponent(new URL(url).password);
      if (password) redacted = redacted.split(password).join('***');
    } catch {
      // The URL was validated at boot; nothing else to hide.
    }
    return redacted;
  }
}
