// A department's teaching in a term, for the admin and the department's head: who teaches which
// subject to which groups. Add an assignment, change its groups (the cabinet is re-scoped and keeps
// what was delivered), end it or bring it back.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { teachingPage, type TeachingRow } from '../../server/admin/teaching.ts';
import { addTeaching, setTeachingEnded, setTeachingGroups } from '../../server/admin/teaching-changes.ts';
import { titled } from '../components/page-title.ts';
import { FormError } from '../components/form-error.tsx';
import { formOf, formResult, orRespond, requireUser } from '../guards.server.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const termId = new URL(request.url).searchParams.get('term');
  return orRespond(() => teachingPage(context.services.db, user, params.departmentId ?? '', termId, user.locale));
}

export const meta = titled<typeof loader>('admin.nav.teaching', (data) => data.department.name);

const ids = z.array(z.string().max(64)).max(50);
const intentSchema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('add'),
    termId: z.string().max(64),
    instructorId: z.string().max(64),
    subjectId: z.string().max(64),
    groupIds: ids,
  }),
  z.object({ intent: z.literal('groups'), teachingId: z.string().max(64), groupIds: ids }),
  z.object({ intent: z.enum(['end', 'reopen']), teachingId: z.string().max(64) }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const actor = { user, ip: context.clientIp };
  const { db } = context.services;
  return formResult(async () => {
    const form = await formOf(request);
    const parsed = intentSchema.safeParse({ ...Object.fromEntries(form), groupIds: form.getAll('groupIds') });
    if (!parsed.success) throw Response.json({ messageKey: 'errors.invalid_input', params: {} }, { status: 400 });
    const input = parsed.data;
    if (input.intent === 'add') await addTeaching(db, actor, params.departmentId ?? '', input);
    else if (input.intent === 'groups') await setTeachingGroups(db, actor, input.teachingId, input.groupIds);
    else await setTeachingEnded(db, actor, input.teachingId, input.intent === 'end');
    return { saved: input.intent };
  }, [400, 409]);
}

type Option = { id: string; label: string };

function Picker({ name, label, options }: { name: string; label: string; options: Option[] }) {
  return (
    <label>
      {label}
      <select name={name} required>
        {options.map((option) => (
          <option key={option.id} value={option.id}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function GroupPicker({ groups, selected }: { groups: Option[]; selected: string[] }) {
  const { t } = useTranslation();
  return (
    <select
      name="groupIds"
      multiple
      required
      size={Math.min(6, groups.length)}
      defaultValue={selected}
      aria-label={t('admin.teaching.groups')}
    >
      {groups.map((group) => (
        <option key={group.id} value={group.id}>
          {group.label}
        </option>
      ))}
    </select>
  );
}

function Row({ row, groups, busy }: { row: TeachingRow; groups: Option[]; busy: boolean }) {
  const { t } = useTranslation();
  return (
    <tr className={row.ended ? 'archived' : undefined} data-testid="teaching-row">
      <td data-label={t('home.instructor')}>{row.instructorName}</td>
      <td data-label={t('home.subject')}>
        {row.cabinetId ? <Link to={`/cabinets/${row.cabinetId}`}>{row.subjectName}</Link> : row.subjectName}{' '}
        <span className="muted">{row.subjectCode}</span>
        {row.ended ? <span className="badge">{t('home.teachingEnded')}</span> : null}
      </td>
      <td data-label={t('admin.teaching.groups')}>
        {row.ended ? (
          row.groups.map((g) => g.name).join(', ')
        ) : (
          <Form method="post" className="inline-form">
            <input type="hidden" name="teachingId" value={row.id} />
            <GroupPicker groups={groups} selected={row.groups.map((g) => g.id)} />
            <button type="submit" name="intent" value="groups" disabled={busy}>
              {t('admin.save')}
            </button>
          </Form>
        )}
      </td>
      <td data-label={t('admin.actions')}>
        <Form method="post">
          <input type="hidden" name="teachingId" value={row.id} />
          <button
            type="submit"
            name="intent"
            value={row.ended ? 'reopen' : 'end'}
            className="secondary"
            disabled={busy}
          >
            {t(row.ended ? 'admin.teaching.reopen' : 'admin.teaching.end')}
          </button>
        </Form>
      </td>
    </tr>
  );
}

export default function DepartmentTeaching() {
  const { t } = useTranslation();
  const { department, terms, term, teaching, pickers, backTo } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const error = outcome && 'error' in outcome ? outcome.error : null;
  const saved = outcome && 'result' in outcome ? outcome.result?.saved : null;
  const busy = useNavigation().state !== 'idle';
  return (
    <section>
      <p>
        <Link to={backTo}>← {t(backTo === '/' ? 'nav.home' : 'admin.nav.teaching')}</Link>
      </p>
      <h1>{t('admin.teaching.title', { department: department.name })}</h1>
      <Form method="get" className="inline-form">
        <select name="term" defaultValue={term?.id} aria-label={t('admin.kinds.terms')}>
          {terms.map((each) => (
            <option key={each.id} value={each.id}>
              {t('term.label', { year: each.academicYear, semester: each.semester })}
            </option>
          ))}
        </select>
        <button type="submit">{t('report.show')}</button>
      </Form>
      <FormError error={error} />
      {saved ? (
        <p className="notice" role="status">
          {t('admin.saved')}
        </p>
      ) : null}
      {term && teaching.length === 0 ? <p>{t('admin.teaching.none')}</p> : null}
      {term ? (
        <>
          <table className="stack-table" data-testid="teaching">
            <thead>
              <tr>
                <th>{t('home.instructor')}</th>
                <th>{t('home.subject')}</th>
                <th>{t('admin.teaching.groups')}</th>
                <th>{t('admin.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {teaching.map((row) => (
                <Row key={row.id} row={row} groups={pickers.groups} busy={busy} />
              ))}
            </tbody>
          </table>
          <details className="panel">
            <summary>{t('admin.teaching.add')}</summary>
            <Form method="post" className="form-grid" data-testid="teaching-add">
              <input type="hidden" name="termId" value={term.id} />
              <Picker name="instructorId" label={t('home.instructor')} options={pickers.instructors} />
              <Picker name="subjectId" label={t('home.subject')} options={pickers.subjects} />
              <label>
                {t('admin.teaching.groups')}
                <GroupPicker groups={pickers.groups} selected={[]} />
              </label>
              <button type="submit" name="intent" value="add" disabled={busy}>
                {t('admin.create')}
              </button>
            </Form>
          </details>
        </>
      ) : (
        <p>{t('term.none')}</p>
      )}
    </section>
  );
}
