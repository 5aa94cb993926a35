import { isSafeUrl, renderMarkdown } from '../../../src/modules/courses/markdown';

describe('lesson Markdown', () => {
  it('renders headings, lists, tables, emphasis and code', () => {
    const html = renderMarkdown(
      '## Title\n\n- one\n- **two**\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n`code` and\n\n```js\nlet x = 1;\n```',
    );
    expect(html).toContain('<h2>Title</h2>');
    expect(html).toContain('<li><strong>two</strong></li>');
    expect(html).toContain('<table>');
    expect(html).toContain('<td align="center">2</td>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<code class="language-js">');
  });

  it('removes script, style, iframe and form elements', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script>\n\n<style>body{display:none}</style>\n\n<iframe src="https://evil.example"></iframe>\n\n<form action="https://evil.example"><input name="x"></form>\n\n<svg><script>alert(2)</script></svg>ok',
    );
    expect(html).not.toMatch(/<script|<style|<iframe|<form|<svg|<input/i);
    expect(html).not.toContain('alert(1)');
    expect(html).toContain('ok');
  });

  it('removes inline event handlers and style attributes', () => {
    const html = renderMarkdown(
      '<img src="https://x.example/a.png" onerror="alert(1)" style="position:fixed">\n\n<p onclick="steal()" onmouseover="x()">text</p>\n\n<a href="https://a.example" onclick="x()">link</a>',
    );
    expect(html).not.toMatch(/\son\w+=/i);
    expect(html).not.toMatch(/style=/i);
    expect(html).toContain('<img src="https://x.example/a.png" />');
    expect(html).toContain('<p>text</p>');
  });

  it('drops javascript:, data: and vbscript: links however they are written', () => {
    const html = renderMarkdown(
      '[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](java&#x09;script:alert(1)) <a href=" javascript:alert(1)">d</a> [e](data:text/html,<script>alert(1)</script>) [f](vbscript:msgbox) ![g](javascript:alert(1)) ![h](data:image/png;base64,AAAA)',
    );
    expect(html.toLowerCase()).not.toContain('javascript:');
    expect(html.toLowerCase()).not.toContain('data:');
    expect(html.toLowerCase()).not.toContain('vbscript:');
  });

  it('keeps http(s), mailto and relative links and adds rel="noopener noreferrer"', () => {
    const html = renderMarkdown(
      '[site](https://tmic.example/a?b=1) [mail](mailto:a@b.example) [here](/courses) <a href="http://x.example" rel="opener" target="_blank">x</a>',
    );
    expect(html).toContain('<a href="https://tmic.example/a?b=1" rel="noopener noreferrer">site</a>');
    expect(html).toContain('<a href="mailto:a@b.example" rel="noopener noreferrer">mail</a>');
    expect(html).toContain('<a href="/courses" rel="noopener noreferrer">here</a>');
    expect(html).toContain('<a href="http://x.example" rel="noopener noreferrer">x</a>');
    expect(html).not.toContain('target=');
  });

  it('escapes text that looks like markup inside code', () => {
    expect(renderMarkdown('`<script>alert(1)</script>`')).toContain('&lt;script&gt;');
  });

  it('accepts only http(s) addresses for attachment and video links', () => {
    expect(isSafeUrl('https://video.example/1')).toBe(true);
    expect(isSafeUrl('http://a.example')).toBe(true);
    expect(isSafeUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeUrl('/relative')).toBe(false);
    expect(isSafeUrl('ftp://a.example')).toBe(false);
  });
});
