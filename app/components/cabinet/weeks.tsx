// The plan week by week, compact: a sticky row of week numbers to jump with (weeks with something
// overdue marked for those who see the plan), and each week folded to one line with its tally except
// the current and the next, which are open (or, when they hold nothing, the latest week that
// does). A jump to a folded week opens it.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { CabinetItemView, CabinetPage, CabinetSlotView } from '../../../server/cabinets/cabinet-page.ts';
import { SlotRow } from './slot-row.tsx';

type WeekView = { week: number; slots: CabinetSlotView[] };

/** Opens the folded week a `#week-N` or `#item-…` link (or an address) points into, and brings it into view. */
function useOpenWeekOnJump(): void {
  useEffect(() => {
    const open = () => {
      const target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
      const week = target?.closest('details');
      if (target && week && !week.open) {
        week.open = true;
        target.scrollIntoView();
      }
    };
    open();
    window.addEventListener('hashchange', open);
    return () => window.removeEventListener('hashchange', open);
  }, []);
}

function WeekNav({ weeks, currentWeek, seesPlan }: { weeks: WeekView[]; currentWeek: number; seesPlan: boolean }) {
  const { t } = useTranslation();
  const nav = useRef<HTMLElement>(null);
  // On a phone the row scrolls: the current week is brought to its middle (sideways only).
  useEffect(() => {
    const row = nav.current;
    const current = row?.querySelector<HTMLElement>('[aria-current]');
    if (row && current)
      row.scrollLeft = current.offsetLeft - row.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
  }, []);
  return (
    <nav ref={nav} className="week-nav" aria-label={t('cabinet.weekNav')} data-testid="week-nav">
      {weeks.map(({ week, slots }) => {
        const overdue = seesPlan && slots.some((slot) => slot.state === 'overdue');
        return (
          <a
            key={week}
            href={`#week-${week}`}
            className={[week === currentWeek ? 'current' : '', overdue ? 'overdue' : ''].join(' ').trim() || undefined}
            aria-current={week === currentWeek ? 'step' : undefined}
            title={overdue ? t('cabinet.overdue') : undefined}
          >
            {week}
          </a>
        );
      })}
    </nav>
  );
}

/** One line for a folded week: delivered of required and overdue (the plan's readers), or how many items. */
function WeekTally({ slots, seesPlan, items }: { slots: CabinetSlotView[]; seesPlan: boolean; items: number }) {
  const { t } = useTranslation();
  if (!seesPlan) return <span className="muted">{t('cabinet.itemsCount', { count: items })}</span>;
  const delivered = slots.filter((slot) => slot.state === 'delivered').length;
  const overdue = slots.filter((slot) => slot.state === 'overdue').length;
  return (
    <span className="muted">
      {t('report.of', { delivered, required: slots.length })}
      {overdue ? <span className="badge overdue">{t('cabinet.overdueCount', { count: overdue })}</span> : null}
    </span>
  );
}

export function Weeks({ page, chunkSize, currentWeek }: { page: CabinetPage; chunkSize: number; currentWeek: number }) {
  const { t } = useTranslation();
  useOpenWeekOnJump();
  const itemBySlot = new Map<string | null, CabinetItemView>(
    page.items.filter((item) => item.slotId).map((item) => [item.slotId, item]),
  );
  const weeks: WeekView[] = Array.from({ length: page.term.weeks }, (_, i) => i + 1)
    .map((week) => ({
      week,
      slots: page.slots.filter((slot) => slot.week === week && (page.seesPlan || itemBySlot.has(slot.id))),
    }))
    .filter(({ slots }) => slots.length > 0);
  // The current and the next week are open (before the term, the first two). When neither has
  // anything to show (a student's cabinet holds only what was delivered), the latest week that does.
  const now = Math.max(1, currentWeek);
  const shown = weeks.filter(({ week }) => week === now || week === now + 1);
  const latest = weeks.filter(({ week }) => week <= now).at(-1) ?? weeks[0];
  const opened = (week: number) => (shown.length ? week === now || week === now + 1 : week === latest?.week);
  return (
    <>
      {weeks.length > 1 ? <WeekNav weeks={weeks} currentWeek={currentWeek} seesPlan={page.seesPlan} /> : null}
      {weeks.map(({ week, slots }) => (
        <details
          key={week}
          id={`week-${week}`}
          className={`week${week === currentWeek ? ' current' : ''}`}
          open={opened(week)}
          data-testid="week"
        >
          <summary>
            <h2>
              {t('term.week', { week })}{' '}
              {week === currentWeek ? <span className="badge current">{t('term.currentWeek')}</span> : null}
            </h2>{' '}
            <WeekTally
              slots={slots}
              seesPlan={page.seesPlan}
              items={slots.filter((s) => itemBySlot.has(s.id)).length}
            />
          </summary>
          <ul className="slots">
            {slots.map((slot) => (
              <SlotRow key={slot.id} slot={slot} item={itemBySlot.get(slot.id)} page={page} chunkSize={chunkSize} />
            ))}
          </ul>
        </details>
      ))}
    </>
  );
}
