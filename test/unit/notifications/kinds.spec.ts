/**
 * Every notification kind the code uses must render in both languages: a missing key would show
 * readers the raw kind. Kinds are found in the source as `kind: '<module>.notice|notifications|kinds.…'`
 * literals; a template literal (`…withdrawn.${suffix}`) stands for every catalogue kind it matches,
 * and must match at least one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES, messageKeys } from '../../../src/infra/i18n/i18n';
import { missingKindKeys } from '../../../src/modules/notifications/notification-render';

const MODULES = join(__dirname, '../../../src/modules');
const KIND_LITERAL = /kind:\s*(['`])([a-z][A-Za-z0-9_-]*\.(?:notice|notifications|kinds)\.[^'`\s]+)\1/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const catalogueKinds = new Set(
  LOCALES.flatMap((locale) => messageKeys(locale))
    .filter((key) => /\.(title|body)$/.test(key) && /\.(notice|notifications|kinds)\./.test(key))
    .map((key) => key.replace(/\.(title|body)$/, '')),
);

const used = new Map<string, string[]>();
for (const file of sourceFiles(MODULES)) {
  for (const match of readFileSync(file, 'utf8').matchAll(KIND_LITERAL)) {
    used.set(match[2], [...(used.get(match[2]) ?? []), file.slice(MODULES.length + 1)]);
  }
}

function kindsFor(pattern: string): string[] {
  if (!pattern.includes('${')) return [pattern];
  const regex = new RegExp(
    '^' +
      pattern
        .split(/\$\{[^}]*\}/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[A-Za-z0-9_-]+') +
      '$',
  );
  return [...catalogueKinds].filter((kind) => regex.test(kind));
}

describe('notification kinds', () => {
  it('finds the kinds the modules use (the scan itself works)', () => {
    expect(used.has('notifications.kinds.test')).toBe(true);
  });

  it.each([...used.keys()].sort())('%s has a title and a body in zh-CN and en', (pattern) => {
    const kinds = kindsFor(pattern);
    expect({ pattern, usedIn: used.get(pattern), kinds: kinds.length ? 'found' : 'no catalogue kind matches this pattern' }).toEqual({
      pattern,
      usedIn: used.get(pattern),
      kinds: 'found',
    });
    for (const kind of kinds) expect({ kind, missing: missingKindKeys(kind) }).toEqual({ kind, missing: [] });
  });

  it('every kind in the catalogues has both its title and its body in both languages', () => {
    const incomplete = [...catalogueKinds].map((kind) => ({ kind, missing: missingKindKeys(kind) })).filter((k) => k.missing.length);
    expect(incomplete).toEqual([]);
  });
});
