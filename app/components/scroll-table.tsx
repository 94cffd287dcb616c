// A wide table that scrolls inside its own box, never the page: on a phone the first column stays
// in place while the rest slides under it. The box is a named region a keyboard can focus and
// scroll (axe: scrollable-region-focusable).
import type { ReactNode } from 'react';

export function ScrollTable({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
