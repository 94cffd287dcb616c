// Instructions with formatting render as HTML elements, and nothing an instructor types can run.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FormattedText } from './formatted-text.tsx';

describe('formatted instructions', () => {
  it('renders bold, lists and links, and drops raw HTML and script links', () => {
    const html = renderToStaticMarkup(
      <FormattedText text={'**Маанилүү:** отчет\n\n- биринчи\n- экинчи\n\n[Китепкана](https://lib.example.kg) [x](javascript:alert(1))\n\n<script>alert(1)</script><img src=x onerror=alert(1)>'} />,
    );
    expect(html).toContain('<strong>Маанилүү:</strong>');
    expect(html).toContain('<li>экинчи</li>');
    expect(html).toContain('href="https://lib.example.kg" rel="noopener noreferrer nofollow"');
    expect(html).not.toMatch(/<script|onerror|javascript:/i);
  });
});
