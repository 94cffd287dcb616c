// A notice in words, the same on the notifications page and in the e-mail: what happened, in which
// subject, and its deadline or score, in the reader's language and the term's time zone.
import type { TFunction } from 'i18next';
import { formatDateTime, formatNumber } from './format.ts';
import type { NoticeView } from '../notices/notices.ts';

export function noticeText(view: NoticeView, t: TFunction, timeZone: string): string {
  if (view.kind === 'overdue_reminder')
    return t('report.reminderTitle', { sender: view.reminder.senderName, department: view.reminder.departmentName });
  const { notice } = view;
  const values = {
    title: notice.title,
    subject: view.subjectName,
    due: notice.dueAt ? formatDateTime(new Date(notice.dueAt).toISOString(), t, timeZone) : '',
  };
  if (view.kind === 'graded')
    return t(notice.withFeedback ? 'notice.gradedWithFeedback' : 'notice.graded', {
      ...values,
      score: formatNumber(Number(notice.score), t),
      max: formatNumber(Number(notice.maxScore), t),
    });
  if (view.kind === 'deadline')
    return t(notice.what === 'test' ? 'notice.deadlineTest' : 'notice.deadlineAssignment', values);
  return t(`notice.published.${notice.what}`, values);
}
