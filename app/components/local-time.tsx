// A moment shown in the viewer's time zone. The server renders it in the term's zone (it cannot know
// the viewer's); after hydration the browser shows its own zone, named when it differs.
import { useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../server/common/format.ts';

const noChanges = () => () => undefined;
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function LocalTime({ iso, termZone }: { iso: string; termZone: string }) {
  const { t } = useTranslation();
  const zone = useSyncExternalStore(
    noChanges,
    () => browserZone() || termZone,
    () => termZone,
  );
  return (
    <time dateTime={iso} title={zone}>
      {formatDateTime(iso, t, zone)}
      {zone !== termZone ? ` (${zone})` : ''}
    </time>
  );
}
