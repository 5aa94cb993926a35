import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returningRows } from '../../infra/database/returning';
import { offsetOf, PageRequest } from '../../infra/http/pagination';
import { EmailStatus, NotificationEmailSource, NotificationParams, NotificationRecord } from './notifications.types';

interface NotificationDbRow {
  id: string;
  user_id: string;
  kind: string;
  params: NotificationParams;
  link: string | null;
  created_at: Date;
  read_at: Date | null;
  email_status: EmailStatus;
  emailed_at: Date | null;
  email_error: string | null;
}

interface EmailSourceDbRow extends NotificationDbRow {
  email: string;
  name: string;
  locale: string;
  active: boolean;
}

const COLUMNS = 'n.id, n.user_id, n.kind, n.params, n.link, n.created_at, n.read_at, n.email_status, n.emailed_at, n.email_error';

function toRecord(row: NotificationDbRow): NotificationRecord {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    params: row.params ?? {},
    link: row.link,
    createdAt: row.created_at,
    readAt: row.read_at,
    emailStatus: row.email_status,
    emailedAt: row.emailed_at,
    emailError: row.email_error,
  };
}

@Injectable()
export class NotificationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    row: { userId: string; kind: string; params: NotificationParams; link: string | null; emailStatus: EmailStatus },
  ): Promise<string | null> {
    // INSERT … SELECT: no row (null) when the user does not exist, instead of a foreign-key error.
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO notifications (user_id, kind, params, link, email_status)
       SELECT u.id, $2, $3, $4, $5 FROM users u WHERE u.id = $1 RETURNING id`,
      [row.userId, row.kind, JSON.stringify(row.params), row.link, row.emailStatus],
    );
    return rows[0]?.id ?? null;
  }

  async pageForUser(userId: string, request: PageRequest): Promise<{ items: NotificationRecord[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.dataSource.query<NotificationDbRow[]>(
        `SELECT ${COLUMNS} FROM notifications n WHERE n.user_id = $1 ORDER BY n.created_at DESC, n.id DESC LIMIT $2 OFFSET $3`,
        [userId, request.perPage, offsetOf(request)],
      ),
      this.dataSource.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM notifications WHERE user_id = $1`, [userId]),
    ]);
    return { items: rows.map(toRecord), total: count[0].total };
  }

  async unreadCount(userId: string): Promise<number> {
    const rows: { count: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM notifications WHERE user_id = $1 AND read_at IS NULL`,
      [userId],
    );
    return rows[0].count;
  }

  /** Marks one of the user's notifications read (keeps the first read time); null when it is not theirs or does not exist. */
  async markRead(manager: EntityManager, userId: string, notificationId: string): Promise<{ link: string | null } | null> {
    const rows = returningRows<{ link: string | null }>(
      await manager.query(
        `UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING link`,
        [notificationId, userId],
      ),
    );
    return rows[0] ?? null;
  }

  async markAllRead(manager: EntityManager, userId: string): Promise<number> {
    const rows = returningRows<{ id: string }>(
      await manager.query(`UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL RETURNING id`, [userId]),
    );
    return rows.length;
  }

  /** The notification and its reader, for the email job. */
  async findForEmail(notificationId: string): Promise<NotificationEmailSource | null> {
    const rows: EmailSourceDbRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS}, u.email, u.name, u.locale, u.active
         FROM notifications n JOIN users u ON u.id = n.user_id
        WHERE n.id = $1`,
      [notificationId],
    );
    const row = rows[0];
    if (!row) return null;
    return { ...toRecord(row), recipientEmail: row.email, recipientName: row.name, recipientLocale: row.locale, recipientActive: row.active };
  }

  async recordEmailSent(notificationId: string): Promise<void> {
    await this.dataSource.query(`UPDATE notifications SET email_status = 'sent', emailed_at = now(), email_error = NULL WHERE id = $1`, [notificationId]);
  }

  async recordEmailFailed(notificationId: string, error: string): Promise<void> {
    await this.dataSource.query(`UPDATE notifications SET email_status = 'failed', email_error = $2 WHERE id = $1 AND email_status <> 'sent'`, [
      notificationId,
      error,
    ]);
  }

  /** An email that will not be sent (recipient deactivated): back to in-app only, with the reason. */
  async recordEmailSkipped(notificationId: string, reason: string): Promise<void> {
    await this.dataSource.query(`UPDATE notifications SET email_status = 'none', email_error = $2 WHERE id = $1`, [notificationId, reason]);
  }
}
