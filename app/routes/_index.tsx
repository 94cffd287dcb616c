import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { currentTerm, listTeaching, listVisibleCabinets, openCabinet } from '../../server/cabinets/cabinets.ts';
import { markNotificationRead, unreadNotifications, type NotificationView } from '../../server/reports/reminders.ts';
import { reportEntry } from '../../server/reports/rollups.ts';
import { LocalTime } from '../components/local-time.tsx';
import { orRespond, requireUser } from '../guards.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const { db } = context.services;
  const term = await currentTerm(db);
  const reportLink = reportEntry(user);
  const notifications = await unreadNotifications(db, user);
  if (!term) return { role: user.role, term: null, teaching: [], cabinets: [], reportLink, notifications };
  const [teaching, cabinets] = await Promise.all([
    user.role === 'instructor' ? listTeaching(db, user, term.id) : [],
    user.role === 'instructor' ? [] : listVisibleCabinets(db, user, term.id),
  ]);
  return { role: user.role, term, teaching, cabinets, reportLink, notifications };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await request.formData();
  if (form.get('intent') === 'mark-read') {
    await orRespond(() => markNotificationRead(context.services.db, user, String(form.get('notificationId') ?? '')));
    return null;
  }
  const assignmentId = String(form.get('teachingAssignmentId') ?? '');
  const cabinetId = await orRespond(() => openCabinet(context.services.db, user, assignmentId, context.clientIp));
  return redirect(`/cabinets/${cabinetId}`);
}

const reportLinkLabels = { university: 'report.universityLink', faculty: 'report.facultyLink', department: 'report.link' } as const;

/** Reminders from the head: what was overdue when they were sent, until marked read. */
function Notifications({ notifications, timeZone }: { notifications: NotificationView[]; timeZone: string }) {
  const { t } = useTranslation();
  if (notifications.length === 0) return null;
  return (
    <section className="notifications" data-testid="notifications">
      {notifications.map((note) => (
        <div key={note.id} className="notice" role="status" data-testid="notification">
          <strong>{t('report.reminderTitle', { sender: note.reminder.senderName, department: note.reminder.departmentName })}</strong>{' '}
          <span className="muted">
            <LocalTime iso={note.createdAt} termZone={timeZone} />
          </span>
          <ul>
            {note.reminder.slots.map((slot) => (
              <li key={`${slot.cabinetId}-${slot.kind}-${slot.number}`}>
                <Link to={`/cabinets/${slot.cabinetId}`}>{slot.subjectName}</Link> · {t(`slotKind.${slot.kind}`)} {slot.number} ·{' '}
                <LocalTime iso={slot.dueAt} termZone={timeZone} />
              </li>
            ))}
          </ul>
          <Form method="post">
            <input type="hidden" name="intent" value="mark-read" />
            <input type="hidden" name="notificationId" value={note.id} />
            <button type="submit">{t('report.markRead')}</button>
          </Form>
        </div>
      ))}
    </section>
  );
}

export default function Home() {
  const { t } = useTranslation();
  const { role, term, teaching, cabinets, reportLink, notifications } = useLoaderData<typeof loader>();
  const busy = useNavigation().state === 'submitting';
  if (!term) return <p>{t('term.none')}</p>;
  const termLabel = t('term.label', { year: term.academicYear, semester: term.semester });

  if (role === 'instructor') {
    return (
      <section>
        <h1>{t('home.teachingTitle')}</h1>
        <p className="muted">{termLabel}</p>
        <Notifications notifications={notifications} timeZone={term.timeZone} />
        {teaching.length === 0 ? <p>{t('home.noTeaching')}</p> : null}
        <ul className="cards">
          {teaching.map((row) => (
            <li key={row.teachingAssignmentId} className="card">
              <div>
                <strong>{row.subjectName}</strong> <span className="muted">{row.subjectCode}</span>
                <div className="muted">
                  {t('home.groups')}: {row.groups.join(', ')}
                </div>
              </div>
              {row.cabinetId ? (
                <Link className="button" to={`/cabinets/${row.cabinetId}`}>
                  {t('home.goToCabinet')}
                </Link>
              ) : (
                <Form method="post">
                  <input type="hidden" name="teachingAssignmentId" value={row.teachingAssignmentId} />
                  <button type="submit" disabled={busy}>
                    {t('home.openCabinet')}
                  </button>
                </Form>
              )}
            </li>
          ))}
        </ul>
      </section>
    );
  }

  if (role === 'student') {
    return (
      <section>
        <h1>{t('home.coursesTitle')}</h1>
        <p className="muted">{termLabel}</p>
        {cabinets.length === 0 ? <p>{t('home.noCourses')}</p> : null}
        <ul className="cards">
          {cabinets.map((row) => (
            <li key={row.cabinetId} className="card">
              <Link to={`/cabinets/${row.cabinetId}`}>
                <strong>{row.subjectName}</strong>
              </Link>
              <span className="muted">{row.instructorName}</span>
            </li>
          ))}
        </ul>
      </section>
    );
  }

  return (
    <section>
      <h1>{t('home.cabinetsTitle')}</h1>
      <p className="muted">{termLabel}</p>
      {reportLink ? (
        <p>
          <Link to={reportLink.to} data-testid="report-link">
            {t(reportLinkLabels[reportLink.level])}
          </Link>
        </p>
      ) : null}
      {cabinets.length === 0 ? <p>{t('home.noCabinets')}</p> : null}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('home.subject')}</th>
              <th>{t('home.instructor')}</th>
              <th>{t('home.department')}</th>
              <th>{t('home.progress')}</th>
            </tr>
          </thead>
          <tbody>
            {cabinets.map((row) => (
              <tr key={row.cabinetId}>
                <td>
                  <Link to={`/cabinets/${row.cabinetId}`}>{row.subjectName}</Link> <span className="muted">{row.subjectCode}</span>
                </td>
                <td>{row.instructorName}</td>
                <td>{row.departmentName}</td>
                <td className="progress">
                  <progress max={row.requiredSlots || 1} value={row.deliveredSlots} />{' '}
                  {t('home.progressValue', { delivered: row.deliveredSlots, required: row.requiredSlots })}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
