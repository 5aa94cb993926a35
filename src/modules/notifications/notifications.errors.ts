import { AppError } from '../../infra/http/app-error';
import type { MessageParams } from '../../infra/i18n/i18n';

export type NotificationsErrorCode = 'NOTIFICATION_NOT_FOUND' | 'NOTIFICATION_INVALID';

const STATUS: Record<NotificationsErrorCode, number> = {
  // Someone else's notification is "not found", never "forbidden": its existence is not disclosed.
  NOTIFICATION_NOT_FOUND: 404,
  // A caller (another module) asked for a notification that cannot be stored or rendered.
  NOTIFICATION_INVALID: 500,
};

export class NotificationsError extends AppError {
  constructor(code: NotificationsErrorCode, params: MessageParams = {}) {
    super(code, STATUS[code], `notifications.errors.${code}`, params);
  }
}
