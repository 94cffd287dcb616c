// The admin's people: search by name, e-mail or external id, filter by role, faculty, department,
// group and state, a page at a time; and a form to add one person.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { peoplePickers, searchPeople, type PeopleFilters } from '../../server/admin/people-search.ts';
import { createPerson } from '../../server/admin/people.ts';
import { filterRoles, personStates } from '../../server/common/people-filters.ts';
import { isUuid } from '../../server/cabinets/scope.ts';
import { PersonFieldsForm } from '../components/admin/person-fields.tsx';
import { titled } from '../components/page-title.ts';
import { formResult, orRespond, readForm, requireUser } from '../guards.server.ts';

function filtersOf(params: URLSearchParams): PeopleFilters {
  const pick = <T extends string>(value: string | null, allowed: readonly T[]) =>
    (allowed as readonly string[]).includes(value ?? '') ? (value as T) : null;
  return {
    q: params.get('q') ?? '',
    role: pick(params.get('role'), filterRoles),
    facultyId: params.get('faculty') || null,
    departmentId: params.get('department') || null,
    groupId: params.get('group') || null,
    state: pick(params.get('state'), personStates),
  };
}

/** The keyset cursor of the next page: the last row's name and id. */
function afterOf(params: URLSearchParams): { name: string; id: string } | null {
  const name = params.get('afterName');
  const id = params.get('afterId');
  return name !== null && id && isUuid(id) ? { name: name.slice(0, 300), id } : null;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const params = new URL(request.url).searchParams;
  return orRespond(async () => {
    const [page, pickers] = await Promise.all([
      searchPeople(context.services.db, user, filtersOf(params), afterOf(params)),
      peoplePickers(context.services.db, user.locale),
    ]);
    return { ...page, pickers };
  });
}

export const meta = titled('admin.nav.people');

const personSchema = z.object({
  email: z.string().max(400).default(''),
  fullName: z.string().max(400).default(''),
  externalId: z.string().max(400).default(''),
  language: z.string().max(10).default('ky'),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const result = await formResult(async () => {
    const fields = await readForm(request, personSchema);
    const created = await createPerson(context.services.db, { user, ip: context.clientIp }, fields);
    return { ...created, fields };
  });
  const id = 'result' in result ? result.result?.id : null;
  if (id) throw redirect(`/admin/people/${id}`);
  return result;
}

type Loaded = Awaited<ReturnType<typeof loader>>;

/** A filter of the search: one of some options, or any. */
function Choice({
  name,
  options,
  label,
}: {
  name: string;
  options: Array<{ id: string; label: string }>;
  label: string;
}) {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  return (
    <label>
      {label}
      <select name={name} defaultValue={params.get(name) ?? ''}>
        <option value="">{t('admin.people.any')}</option>
        {options.map((option) => (
          <option key={option.id} value={option.id}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function SearchForm({ pickers }: { pickers: Loaded['pickers'] }) {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  return (
    <Form method="get" className="filters" role="search">
      <label className="wide">
        {t('admin.people.search')}
        <input type="search" name="q" defaultValue={params.get('q') ?? ''} maxLength={100} />
      </label>
      <Choice
        name="role"
        options={filterRoles.map((role) => ({ id: role, label: t(`roles.${role}`) }))}
        label={t('admin.people.role')}
      />
      <Choice name="faculty" options={pickers.faculties} label={t('admin.fields.faculty_code')} />
      <Choice name="department" options={pickers.departments} label={t('admin.fields.department_code')} />
      <Choice name="group" options={pickers.groups} label={t('admin.people.group')} />
      <Choice
        name="state"
        options={personStates.map((state) => ({ id: state, label: t(`admin.people.states.${state}`) }))}
        label={t('admin.people.state')}
      />
      <button type="submit">{t('admin.find')}</button>
    </Form>
  );
}

function PeopleTable({ people }: { people: Loaded['people'] }) {
  const { t } = useTranslation();
  return (
    <table className="stack-table" data-testid="people">
      <thead>
        <tr>
          <th>{t('admin.fields.full_name')}</th>
          <th>{t('admin.fields.email')}</th>
          <th>{t('admin.fields.external_id')}</th>
          <th>{t('admin.people.roles')}</th>
        </tr>
      </thead>
      <tbody>
        {people.map((person) => (
          <tr key={person.id} className={person.disabled ? 'archived' : undefined}>
            <td data-label={t('admin.fields.full_name')}>
              <Link to={`/admin/people/${person.id}`}>{person.fullName}</Link>
              {person.disabled ? <span className="badge">{t('admin.people.states.disabled')}</span> : null}
              {!person.hasPassword ? <span className="badge">{t('admin.people.states.no_password')}</span> : null}
            </td>
            <td data-label={t('admin.fields.email')} className="break">
              {person.email}
            </td>
            <td data-label={t('admin.fields.external_id')}>{person.externalId}</td>
            <td data-label={t('admin.people.roles')}>
              {[...person.roles.map((role) => t(`roles.${role}`)), ...person.groups].join(', ')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function People() {
  const { t } = useTranslation();
  const { people, total, next, pickers } = useLoaderData<typeof loader>();
  const created = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state !== 'idle';
  const nextParams = new URLSearchParams(params);
  if (next) {
    nextParams.set('afterName', next.name);
    nextParams.set('afterId', next.id);
  }
  const result = created && 'result' in created ? created.result : undefined;
  return (
    <section>
      <h1>{t('admin.nav.people')}</h1>
      <details className="panel" open={Boolean(result?.problems && Object.keys(result.problems).length)}>
        <summary>{t('admin.people.add')}</summary>
        <PersonFieldsForm intent="create" values={result?.fields} problems={result?.problems} busy={busy} />
      </details>
      <SearchForm pickers={pickers} />
      <p className="muted" data-testid="people-total">
        {t('admin.found', { count: total })}
      </p>
      <PeopleTable people={people} />
      {next ? (
        <p>
          <Link to={`?${nextParams}`} data-testid="next-page">
            {t('admin.nextPage')}
          </Link>
        </p>
      ) : null}
    </section>
  );
}
