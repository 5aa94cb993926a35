import { Locale } from '../../infra/i18n/i18n';

export const EMAIL_STATUSES = ['none', 'pending', 'sent', 'failed'] as const;
/** none: in-app only; pending: an email job is queued; sent; failed: the last try failed (BullMQ retries until its attempts run out). */
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

export type NotificationParams = Record<string, string | number>;

/** What a module asks for; see NotificationsService.notify. */
export interface NotifyInput {
  userId: string;
  /** An i18n key prefix: `<kind>.title` and `<kind>.body` are rendered in the reader's language. */
  kind: string;
  params?: NotificationParams;
  /** Where the notification leads: an app path (`/certificates/…`) or an http(s) URL. */
  link?: string | null;
  /** Also send an email when SMTP is configured (default true). */
  email?: boolean;
}

/** A stored notification, not yet rendered. */
export interface NotificationRecord {
  id: string;
  userId: string;
  kind: string;
  params: NotificationParams;
  link: string | null;
  createdAt: Date;
  readAt: Date | null;
  emailStatus: EmailStatus;
  emailedAt: Date | null;
  emailError: string | null;
}

/** What the email job needs: the notification and who receives it. */
export interface NotificationEmailSource extends NotificationRecord {
  recipientEmail: string;
  recipientName: string;
  recipientLocale: string;
  recipientActive: boolean;
}

/** A notification rendered for one reader. */
export interface NotificationView {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  createdAt: Date;
  readAt: Date | null;
  unread: boolean;
  emailStatus: EmailStatus;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export type { Locale };
