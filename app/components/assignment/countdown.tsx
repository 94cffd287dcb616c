import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Time left until the due moment, counting down each second. */
export function Countdown({ dueAt, now }: { dueAt: string; now: string }) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState(() => Date.parse(now));
  useEffect(() => {
    const timer = setInterval(() => setCurrent(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.floor((Date.parse(dueAt) - current) / 1000);
  if (left <= 0) return <span className="badge overdue">{t('assignment.pastDue')}</span>;
  const days = Math.floor(left / 86400);
  const clock = [Math.floor((left % 86400) / 3600), Math.floor((left % 3600) / 60), left % 60]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return <span data-testid="countdown">{t('assignment.timeLeft', { days, clock })}</span>;
}
