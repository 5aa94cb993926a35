import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import { APP_CONFIG, AppConfig } from '../../infra/config/config';
import { RenderedEmail } from './notifications.types';

/**
 * Outgoing email over SMTP (nodemailer). Configured by SMTP_URL; without it `configured` is false
 * and notifications stay in-app. The URL holds a password: it never appears in logs or errors.
 */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private transporter: Transporter<SMTPTransport.SentMessageInfo> | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get configured(): boolean {
    return this.config.mail.smtpUrl !== null;
  }

  async send(to: { address: string; name: string }, email: RenderedEmail): Promise<void> {
    const url = this.config.mail.smtpUrl;
    if (!url) throw new Error('SMTP is not configured (SMTP_URL is unset)');
    // Bounded waits: a stuck server fails the try (and BullMQ retries) instead of holding a worker.
    this.transporter ??= createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
    const info = await this.transporter.sendMail({
      from: this.config.mail.from,
      to: { address: to.address, name: to.name },
      subject: email.subject,
      text: email.text,
      html: email.html,
    });
    if (info.rejected.length > 0) throw new Error(`the SMTP server refused the recipient: ${info.response}`);
  }

  onApplicationShutdown(): void {
    this.transporter?.close();
    this.transporter = null;
  }
}
