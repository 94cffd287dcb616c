import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { listVisibleCabinets, type CabinetListRow } from '../../server/cabinets/cabinet-list.ts';
import { listTeaching, openCabinet, type TeachingRow } from '../../server/cabinets/teaching.ts';
import { currentTerm } from '../../server/cabinets/term.ts';
import { unreadNotifications, type NotificationView } from '../../server/reports/reminders.ts';
import { openNotice } from '../../server/notices/notices.ts';
import { can, homeSections, teachingEntries } from '../../server/auth/permissions.ts';
import { reportLinksOf } from '../../server/reports/rollups.ts';
import { LocalTime } from '../components/local-time.tsx';
import { formOf, orRespond, requireUser } from '../guards.server.ts';
import { titled } from '../components/page-title.ts';

export const meta = titled('nav.home');

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const { db } = context.services;
  const sections = homeSections(user);
  const [term, reportLinks, notifications] = await Promise.all([
    currentTerm(db),
    reportLinksOf(db, user),
    unreadNotifications(db, user),
  ]);
  const adminLink = can(user, 'admin.manage', {});
  const teachingLinks = teachingEntries(user).map((departmentId) => ({
    to: `/departments/${departmentId}/teaching`,
    name: reportLinks.find((link) => link.id === departmentId)?.name ?? null,
  }));
  if (!term)
    return { sections, term: null, teaching: [], cabinets: [], reportLinks, teachingLinks, adminLink, notifications };
  const [teaching, cabinets] = await Promise.all([
    listTeaching(db, user, term.id, user.locale),
    sections.overseeing || sections.studying ? listVisibleCabinets(db, user, term.id, user.locale) : [],
  ]);
  return { sections, term, teaching, cabinets, reportLinks, teachingLinks, adminLink, notifications };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await formOf(request);
  if (form.get('intent') === 'mark-read') {
    await orRespond(() => openNotice(context.services.db, user, String(form.get('notificationId') ?? '')));
    return null;
  }
  const assignmentId = String(form.get('teachingAssignmentId') ?? '');
  const cabinetId = await orRespond(() => openCabinet(context.services.db, user, assignmentId, context.clientIp));
  return redirect(`/cabinets/${cabinetId}`);
}

const reportLinkLabels = {
  university: 'report.universityLink',
  faculty: 'report.facultyLink',
  department: 'report.link',
} as const;

/** Reminders from the head: what was overdue when they were sent, until marked read. */
function Notifications({ notifications, timeZone }: { notifications: NotificationView[]; timeZone: string }) {
  const { t } = useTranslation();
  if (notifications.length === 0) return null;
  return (
    <section className="notifications" data-testid="notifications">
      {notifications.map((note) => (
        <div key={note.id} className="notice" role="status" data-testid="notification">
          <strong>
            {t('report.reminderTitle', { sender: note.reminder.senderName, department: note.reminder.departmentName })}
          </strong>{' '}
          <span className="muted">
            <LocalTime iso={note.createdAt} termZone={timeZone} />
          </span>
          <ul>
            {note.reminder.slots.map((slot) => (
              <li key={`${slot.cabinetId}-${slot.kind}-${slot.number}`}>
                <Link to={`/cabinets/${slot.cabinetId}`}>{slot.subjectName}</Link> · {t(`slotKind.${slot.kind}`)}{' '}
                {slot.number} · <LocalTime iso={slot.dueAt} termZone={timeZone} />
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

/** A section's heading: the page's own when it is the only section, else a subheading. */
function SectionTitle({ text, main }: { text: string; main: boolean }) {
  return main ? <h1>{text}</h1> : <h2>{text}</h2>;
}

function Teaching({ teaching, busy, main }: { teaching: TeachingRow[]; busy: boolean; main: boolean }) {
  const { t } = useTranslation();
  return (
    <section data-testid="teaching">
      <SectionTitle text={t('home.teachingTitle')} main={main} />
      {teaching.length === 0 ? <p>{t('home.noTeaching')}</p> : null}
      <ul className="cards">
        {teaching.map((row) => (
          <li key={row.teachingAssignmentId} className="card">
            <div>
              <strong>{row.subjectName}</strong> <span className="muted">{row.subjectCode}</span>
              {row.ended ? <span className="badge">{t('home.teachingEnded')}</span> : null}
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

function Courses({ cabinets, main }: { cabinets: CabinetListRow[]; main: boolean }) {
  const { t } = useTranslation();
  return (
    <section>
      <SectionTitle text={t('home.coursesTitle')} main={main} />
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

function CabinetsTable({ cabinets, main }: { cabinets: CabinetListRow[]; main: boolean }) {
  const { t } = useTranslation();
  return (
    <section>
      <SectionTitle text={t('home.cabinetsTitle')} main={main} />
      {cabinets.length === 0 ? <p>{t('home.noCabinets')}</p> : null}
      <div className="table-wrap" hidden={cabinets.length === 0}>
        <table className="stack-table">
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
                <td data-label={t('home.subject')}>
                  <Link to={`/cabinets/${row.cabinetId}`}>{row.subjectName}</Link>{' '}
                  <span className="muted">{row.subjectCode}</span>
                </td>
                <td data-label={t('home.instructor')}>{row.instructorName}</td>
                <td data-label={t('home.department')}>{row.departmentName}</td>
                <td className="progress" data-label={t('home.progress')}>
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

export default function Home() {
  const { t } = useTranslation();
  const { sections, term, teaching, cabinets, reportLinks, teachingLinks, adminLink, notifications } =
    useLoaderData<typeof loader>();
  const busy = useNavigation().state === 'submitting';
  const links =
    reportLinks.length > 0 || adminLink || teachingLinks.length > 0 ? (
      <ul className="home-links">
        {adminLink ? (
          <li>
            <Link to="/admin" data-testid="admin-link">
              {t('admin.title')}
            </Link>
          </li>
        ) : null}
        {reportLinks.map((link) => (
          <li key={link.to}>
            <Link to={link.to} data-testid="report-link">
              {t(reportLinkLabels[link.level])}
              {link.name ? ` · ${link.name}` : null}
            </Link>
          </li>
        ))}
        {teachingLinks.map((link) => (
          <li key={link.to}>
            <Link to={link.to} data-testid="teaching-link">
              {t('admin.teaching.link')}
              {link.name ? ` · ${link.name}` : null}
            </Link>
          </li>
        ))}
      </ul>
    ) : null;
  if (!term) {
    return (
      <section>
        {links}
        <p>{t('term.none')}</p>
      </section>
    );
  }
  // A head who teaches sees their teaching first, then the cabinets they oversee, each under a subheading.
  const several = sections.teaching && (sections.overseeing || sections.studying);
  return (
    <section className="home">
      {several ? <h1>{t('home.title')}</h1> : null}
      <p className="muted">{t('term.label', { year: term.academicYear, semester: term.semester })}</p>
      {links}
      <Notifications notifications={notifications} timeZone={term.timeZone} />
      {sections.teaching ? <Teaching teaching={teaching} busy={busy} main={!several} /> : null}
      {sections.overseeing ? (
        <CabinetsTable cabinets={cabinets} main={!several} />
      ) : sections.studying ? (
        <Courses cabinets={cabinets} main={!several} />
      ) : null}
    </section>
  );
}
