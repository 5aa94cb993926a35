import { absoluteLink, escapeHtml, missingKindKeys, readerLocale, renderEmail, renderNotification } from '../../../src/modules/notifications/notification-render';

const BASE = 'https://academy.example';

describe('notification rendering', () => {
  it('renders a kind in the reader language with its parameters interpolated', () => {
    expect(renderNotification('en', 'notifications.kinds.test', { name: 'Ada' })).toEqual({
      title: 'Test notification',
      body: expect.stringContaining('Hello Ada,'),
    });
    expect(renderNotification('zh-CN', 'notifications.kinds.test', { name: '李雷' })).toEqual({
      title: '测试通知',
      body: expect.stringContaining('李雷，您好'),
    });
  });

  it('shows the kind itself, never a crash, when a kind has no text', () => {
    expect(renderNotification('en', 'gone.notifications.removed', { x: 1 })).toEqual({ title: 'gone.notifications.removed', body: '' });
    expect(missingKindKeys('gone.notifications.removed')).toEqual([
      'zh-CN: gone.notifications.removed.title',
      'zh-CN: gone.notifications.removed.body',
      'en: gone.notifications.removed.title',
      'en: gone.notifications.removed.body',
    ]);
    expect(missingKindKeys('notifications.kinds.test')).toEqual([]);
  });

  it('reads an unknown stored locale as zh-CN', () => {
    expect(readerLocale('fr')).toBe('zh-CN');
    expect(readerLocale(null)).toBe('zh-CN');
    expect(readerLocale('en')).toBe('en');
  });

  it('makes app paths absolute and drops links that are not http(s) or app paths', () => {
    expect(absoluteLink('/certificates/1', BASE)).toBe(`${BASE}/certificates/1`);
    expect(absoluteLink('https://other.example/x', BASE)).toBe('https://other.example/x');
    expect(absoluteLink('//evil.example/x', BASE)).toBeNull();
    expect(absoluteLink('javascript:alert(1)', BASE)).toBeNull();
    expect(absoluteLink(null, BASE)).toBeNull();
  });

  it('escapes every value in the HTML email and keeps the subject on one line', () => {
    const email = renderEmail({
      locale: 'en',
      kind: 'notifications.kinds.test',
      params: { name: '<script>alert("x")</script>\r\nBcc: x@evil.example' },
      link: '/notifications?a=1&b=2',
      recipientName: 'Ada <Admin>',
      publicBaseUrl: BASE,
    });
    expect(email.subject).toBe('[Planner Academy] Test notification');
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(email.html).toContain('Hello Ada &lt;Admin&gt;,');
    expect(email.html).toContain(`<a href="${BASE}/notifications?a=1&amp;b=2">Open in Planner Academy</a>`);
    expect(email.text).toContain(`Open in Planner Academy: ${BASE}/notifications?a=1&b=2`);
    expect(email.text).toContain('Hello Ada <Admin>,');
    expect(email.text).toContain(`All your notifications: ${BASE}/notifications`);
  });

  it('writes the email in Chinese for a Chinese reader, without a link line when there is no link', () => {
    const email = renderEmail({ locale: 'zh-CN', kind: 'notifications.kinds.test', params: { name: '李雷' }, link: null, recipientName: '李雷', publicBaseUrl: BASE });
    expect(email.subject).toBe('【Planner Academy】 测试通知');
    expect(email.text.startsWith('李雷，您好：')).toBe(true);
    expect(email.text).not.toContain('在 Planner Academy 中查看');
    expect(email.html).toContain('<html lang="zh-CN">');
  });

  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
