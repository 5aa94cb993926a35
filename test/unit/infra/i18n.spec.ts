import { LOCALES, messageKeys, negotiateLocale, translate } from '../../../src/infra/i18n/i18n';

describe('i18n', () => {
  it('has every message in every locale', () => {
    const reference = new Set(messageKeys('zh-CN'));
    for (const locale of LOCALES) {
      const keys = new Set(messageKeys(locale));
      expect([...reference].filter((k) => !keys.has(k))).toEqual([]);
      expect([...keys].filter((k) => !reference.has(k))).toEqual([]);
    }
  });

  it('fills parameters and falls back to the key for unknown messages', () => {
    expect(translate('en', 'home.welcome', { name: 'Li' })).toBe('Welcome, Li');
    expect(translate('zh-CN', 'home.welcome', { name: '李' })).toBe('欢迎，李');
    expect(translate('en', 'no.such.key')).toBe('no.such.key');
  });

  it('negotiates zh-CN by default and English for English browsers', () => {
    expect(negotiateLocale(undefined)).toBe('zh-CN');
    expect(negotiateLocale('en-GB,en;q=0.9')).toBe('en');
    expect(negotiateLocale('zh-TW,zh;q=0.9')).toBe('zh-CN');
    expect(negotiateLocale('fr-FR')).toBe('zh-CN');
  });
});
