/**
 * The one i18n mechanism: every UI string goes through `translate(locale, key, params)`, from
 * templates (the `t` helper), services (error messages) and API errors alike.
 * Messages live in locales/<locale>.json as nested objects; zh-CN is the default language.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../paths';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

type Messages = { [key: string]: string | Messages };

function flatten(prefix: string, messages: Messages, into: Map<string, string>): void {
  for (const [key, value] of Object.entries(messages)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') into.set(full, value);
    else flatten(full, value, into);
  }
}

const catalogues = new Map<Locale, Map<string, string>>();
function catalogue(locale: Locale): Map<string, string> {
  let found = catalogues.get(locale);
  if (!found) {
    found = new Map();
    // The shared catalogue, then each module's own (src/modules/<module>/i18n/<locale>.json).
    flatten('', JSON.parse(readFileSync(projectPath('src', 'infra', 'i18n', 'locales', `${locale}.json`), 'utf8')) as Messages, found);
    const modules = projectPath('src', 'modules');
    for (const name of readdirSync(modules).sort()) {
      const file = join(modules, name, 'i18n', `${locale}.json`);
      if (existsSync(file)) flatten('', JSON.parse(readFileSync(file, 'utf8')) as Messages, found);
    }
    catalogues.set(locale, found);
  }
  return found;
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Picks the best supported locale from an Accept-Language header. */
export function negotiateLocale(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  for (const part of acceptLanguage.split(',')) {
    const tag = part.split(';')[0].trim().toLowerCase();
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return DEFAULT_LOCALE;
}

export type MessageParams = Record<string, string | number>;

export function translate(locale: Locale, key: string, params?: MessageParams): string {
  const template = catalogue(locale).get(key) ?? catalogue(DEFAULT_LOCALE).get(key) ?? catalogue('en').get(key);
  if (template === undefined) return key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Every key of the default catalogue; a unit test checks that each locale has them all. */
export function messageKeys(locale: Locale): string[] {
  return [...catalogue(locale).keys()];
}
