// Instructions an instructor writes with light formatting (Markdown: paragraphs, **bold**,
// *italic*, lists, links, headings), shown as the safe HTML the server rendered for them on a
// worker thread (server/text/text-pool.ts: no raw HTML, no javascript: links, a deadline).
export function FormattedText({ html, className }: { html: string; className?: string }) {
  return <div className={className} data-testid="formatted-text" dangerouslySetInnerHTML={{ __html: html }} />;
}
