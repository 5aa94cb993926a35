/**
 * Rendering notifications and their emails: pure functions over the i18n catalogue, so the same
 * stored kind + params read in the reader's language today and after a translation is fixed.
 */
import { isLocale, Locale, DEFAULT_LOCALE, LOCALES, messageKeys, translate } from '../../infra/i18n/i18n';
import { NotificationParams, RenderedEmail } from './notifications.types';

/** A kind is a dotted i18n key prefix, e.g. `certificates.notifications.expiring`. */
export const KIND_PATTERN = /^[a-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/;

const keysByLocale = new Map<Locale, Set<string>>();
function hasKey(locale: Locale, key: string): boolean {
  let keys = keysByLocale.get(locale);
  if (!keys) {
    keys = new Set(messageKeys(locale));
    keysByLocale.set(locale, keys);
  }
  return keys.has(key);
}

/** The catalogue keys a kind lacks, per locale (`en: x.title`); empty when it renders everywhere. */
export function missingKindKeys(kind: string): string[] {
  const missing: string[] = [];
  for (const locale of LOCALES) {
    for (const part of ['title', 'body']) {
      if (!hasKey(locale, `${kind}.${part}`)) missing.push(`${locale}: ${kind}.${part}`);
    }
  }
  return missing;
}

export function readerLocale(stored: string | null | undefined): Locale {
  return isLocale(stored) ? stored : DEFAULT_LOCALE;
}

/**
 * The title and body of a notification. A kind without its keys (a module removed, a key
 * renamed) must not break a page: its title is the kind itself and its body empty.
 */
export function renderNotification(locale: Locale, kind: string, params: NotificationParams): { title: string; body: string } {
  const titleKey = `${kind}.title`;
  const bodyKey = `${kind}.body`;
  const title = hasKey(locale, titleKey) || hasKey(DEFAULT_LOCALE, titleKey) || hasKey('en', titleKey) ? translate(locale, titleKey, params) : kind;
  const body = hasKey(locale, bodyKey) || hasKey(DEFAULT_LOCALE, bodyKey) || hasKey('en', bodyKey) ? translate(locale, bodyKey, params) : '';
  return { title, body };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** An app path becomes absolute against the public base URL; http(s) links stay; anything else is dropped. */
export function absoluteLink(link: string | null, publicBaseUrl: string): string | null {
  if (!link) return null;
  if (link.startsWith('/') && !link.startsWith('//')) return `${publicBaseUrl}${link}`;
  if (/^https?:\/\//i.test(link)) return link;
  return null;
}

/** Subject, plain text and simple HTML (every value escaped) of a notification's email. */
export function renderEmail(input: {
  locale: Locale;
  kind: string;
  params: NotificationParams;
  link: string | null;
  recipientName: string;
  publicBaseUrl: string;
}): RenderedEmail {
  const { title, body } = renderNotification(input.locale, input.kind, input.params);
  const t = (key: string, params?: NotificationParams) => translate(input.locale, key, params);
  const greeting = t('notifications.email.greeting', { name: input.recipientName });
  const link = absoluteLink(input.link, input.publicBaseUrl);
  const listUrl = `${input.publicBaseUrl}/notifications`;
  const footer = t('notifications.email.footer', { url: listUrl });
  // One line only: a subject never carries line breaks (header injection) and stays short.
  const subject = `${t('notifications.email.subjectPrefix')} ${title}`.replace(/[\r\n]+/g, ' ').trim().slice(0, 200);
  const text = [greeting, '', title, '', body, ...(link ? ['', `${t('notifications.email.open')}: ${link}`] : []), '', '--', footer]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
  const paragraphs = body
    .split(/\n{2,}/)
    .filter((p) => p.trim())
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const html = [
    `<!doctype html><html lang="${input.locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.5; color: #1f2933;">',
    `<p>${escapeHtml(greeting)}</p>`,
    `<h1 style="font-size: 1.25em;">${escapeHtml(title)}</h1>`,
    paragraphs,
    link ? `<p><a href="${escapeHtml(link)}">${escapeHtml(t('notifications.email.open'))}</a></p>` : '',
    `<hr><p style="font-size: 0.85em; color: #616e7c;">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ]
    .filter(Boolean)
    .join('\n');
  return { subject, text, html };
}
