// Instructions an instructor writes with light formatting (Markdown: paragraphs, **bold**,
// *italic*, lists, links, headings). react-markdown renders no raw HTML and drops unsafe link
// schemes (javascript:), so a student's browser runs nothing an instructor typed.
import Markdown from 'react-markdown';

export function FormattedText({ text, className }: { text: string; className?: string }) {
  return (
    <div className={className} data-testid="formatted-text">
      <Markdown skipHtml components={{ a: ({ href, children }) => <a href={href} rel="noopener noreferrer nofollow" target="_blank">{children}</a> }}>
        {text}
      </Markdown>
    </div>
  );
}
