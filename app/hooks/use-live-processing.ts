import { useRevalidator } from '@remix-run/react';
import { useEffect } from 'react';
import type { CabinetPage } from '../../server/cabinets/cabinet-page.ts';

/** While a lecture is being processed the page refreshes its data every few seconds (no reload). */
export function useLiveProcessing(page: CabinetPage) {
  const revalidator = useRevalidator();
  const working = page.items.some((item) =>
    item.files.some(
      (file) => file.processingState === 'awaiting' || file.processingState === 'processing' || file.improving,
    ),
  );
  useEffect(() => {
    if (!working) return;
    const timer = setInterval(() => {
      if (revalidator.state === 'idle' && document.visibilityState === 'visible') revalidator.revalidate();
    }, 3000);
    return () => clearInterval(timer);
  }, [working, revalidator]);
}
