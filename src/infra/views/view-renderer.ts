/**
 * Server-rendered pages: every template under views/ is compiled once at boot (strict mode,
 * escaped by default). Pages render into views/layouts/main.hbs; partials are views/partials/*.
 * Unescaped output (`{{{…}}}`) is only for HTML that passed a sanitiser (rendered Markdown) or the
 * layout's body.
 */
import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { projectPath } from '../paths';
import { isLocale, Locale, translate, DEFAULT_LOCALE, MessageParams } from '../i18n/i18n';

type Template = Handlebars.TemplateDelegate<Record<string, unknown>>;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.hbs') ? [p] : [];
  });
}

/** Text for a template value: strings and numbers as they are, dates as ISO, anything else empty. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return '';
}

function localeOf(options: Handlebars.HelperOptions): Locale {
  const root = (options.data as { root?: { locale?: unknown } } | undefined)?.root;
  return isLocale(root?.locale) ? root.locale : DEFAULT_LOCALE;
}

export function formatDateTime(value: unknown, locale: Locale, withTime = true): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = value instanceof Date ? value : new Date(text(value));
  if (Number.isNaN(date.getTime())) return text(value);
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone: 'Asia/Shanghai',
  }).format(date);
}

@Injectable()
export class ViewRenderer {
  private readonly hbs = Handlebars.create();
  private readonly templates = new Map<string, Template>();
  private readonly layout: Template;

  constructor() {
    this.registerHelpers();
    const root = projectPath('views');
    for (const file of walk(root)) {
      const name = relative(root, file).split(sep).join('/').replace(/\.hbs$/, '');
      const source = readFileSync(file, 'utf8');
      if (name.startsWith('partials/')) {
        this.hbs.registerPartial(name.slice('partials/'.length), source);
      } else {
        this.templates.set(name, this.hbs.compile(source, { strict: true, preventIndent: true }));
      }
    }
    const layout = this.templates.get('layouts/main');
    if (!layout) throw new Error('views/layouts/main.hbs is missing');
    this.layout = layout;
  }

  has(name: string): boolean {
    return this.templates.has(name);
  }

  /** Renders a page inside the layout, or alone when `layout` is false (fragments, emails). */
  render(name: string, context: Record<string, unknown>, layout = true): string {
    const template = this.templates.get(name);
    if (!template) throw new Error(`no template views/${name}.hbs`);
    const body = template(context);
    return layout ? this.layout({ ...context, body }) : body;
  }

  private registerHelpers(): void {
    const h = this.hbs;
    h.registerHelper('t', function (this: unknown, key: string, ...rest: unknown[]) {
      const options = rest.pop() as Handlebars.HelperOptions;
      return translate(localeOf(options), key, options.hash as MessageParams);
    });
    h.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    h.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
    h.registerHelper('gt', (a: number, b: number) => a > b);
    h.registerHelper('lt', (a: number, b: number) => a < b);
    h.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
    h.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
    h.registerHelper('not', (a: unknown) => !a);
    h.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(text).join(''));
    h.registerHelper('add', (a: number, b: number) => Number(a) + Number(b));
    h.registerHelper('includes', (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item));
    h.registerHelper('get', (obj: unknown, key: string) =>
      obj && typeof obj === 'object' ? ((obj as Record<string, unknown>)[key] ?? null) : null,
    );
    h.registerHelper('dateTime', (value: unknown, options: Handlebars.HelperOptions) => formatDateTime(value, localeOf(options)));
    h.registerHelper('date', (value: unknown, options: Handlebars.HelperOptions) => formatDateTime(value, localeOf(options), false));
    h.registerHelper('isoDate', (value: unknown) =>
      value ? (value instanceof Date ? value : new Date(text(value))).toISOString().slice(0, 10) : '',
    );
    // Data for client scripts goes into <script type="application/json">; '<' is escaped so the
    // payload can never close the script element.
    h.registerHelper('json', (value: unknown) => new h.SafeString(JSON.stringify(value ?? null).replace(/</g, '\\u003c')));
    /** Builds a URL from the current query with some parameters replaced (pagination, filters). */
    h.registerHelper('urlWith', (base: string, query: unknown, options: Handlebars.HelperOptions) => {
      const params = new URLSearchParams();
      if (query && typeof query === 'object') {
        for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
          if (v !== undefined && v !== null && v !== '') params.set(k, text(v));
        }
      }
      for (const [k, v] of Object.entries(options.hash as Record<string, unknown>)) {
        if (v === undefined || v === null || v === '') params.delete(k);
        else params.set(k, text(v));
      }
      const qs = params.toString();
      return qs ? `${base}?${qs}` : base;
    });
  }
}
