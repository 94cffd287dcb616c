// One person for the admin: details, disable or enable (sessions end at once), roles with their
// scope, group memberships (move, add, end; ended ones kept), and a one-time sign-in link.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { peoplePickers } from '../../server/admin/people-search.ts';
import { personPage } from '../../server/admin/person-page.ts';
import { updatePerson } from '../../server/admin/people.ts';
import { issueSignInLink, setDisabled, unlinkIdentity } from '../../server/admin/person-access.ts';
import { setMembership } from '../../server/admin/person-groups.ts';
import { addRole, endRole } from '../../server/admin/person-roles.ts';
import { signInUrl } from '../../server/auth/sign-in-links.ts';
import { currentTerm, defaultTimeZone } from '../../server/cabinets/term.ts';
import { AccountPanel } from '../components/admin/person-account.tsx';
import { PersonFieldsForm } from '../components/admin/person-fields.tsx';
import { Groups } from '../components/admin/person-groups.tsx';
import { Roles } from '../components/admin/person-roles.tsx';
import { titled } from '../components/page-title.ts';
import { FormError } from '../components/form-error.tsx';
import { formResult, orRespond, publicOriginOf, readForm, requireUser } from '../guards.server.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return orRespond(async () => {
    const [page, pickers, term] = await Promise.all([
      personPage(context.services.db, user, params.personId ?? ''),
      peoplePickers(context.services.db, user.locale),
      currentTerm(context.services.db),
    ]);
    return { ...page, pickers, timeZone: term?.timeZone ?? defaultTimeZone };
  });
}

export const meta = titled<typeof loader>('admin.nav.people', (data) => data.person.fullName);

const id = z.string().max(64);
const intentSchema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('update-person'),
    email: z.string().max(400),
    fullName: z.string().max(400),
    externalId: z.string().max(400).default(''),
    language: z.string().max(10),
  }),
  z.object({ intent: z.enum(['disable', 'enable', 'sign-in-link']) }),
  z.object({ intent: z.literal('add-role'), role: z.string().max(20), scopeId: z.string().max(64).default('') }),
  z.object({ intent: z.literal('end-role'), assignmentId: id }),
  z.object({
    intent: z.literal('membership'),
    toGroupId: z.string().max(64).default(''),
    fromGroupId: z.string().max(64).default(''),
  }),
  z.object({ intent: z.literal('unlink-sso'), issuer: z.string().max(500), subject: z.string().max(500) }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const actor = { user, ip: context.clientIp };
  const { db, config } = context.services;
  const personId = params.personId ?? '';
  return formResult(async () => {
    const input = await readForm(request, intentSchema);
    switch (input.intent) {
      case 'update-person':
        return { problems: await updatePerson(db, actor, personId, input), link: null, emailed: false };
      case 'disable':
      case 'enable':
        await setDisabled(db, actor, personId, input.intent === 'disable');
        break;
      case 'add-role':
        await addRole(db, actor, personId, input);
        break;
      case 'end-role':
        await endRole(db, actor, input.assignmentId);
        break;
      case 'membership':
        await setMembership(db, actor, personId, {
          toGroupId: input.toGroupId || null,
          fromGroupId: input.fromGroupId || null,
        });
        break;
      case 'unlink-sso':
        await unlinkIdentity(db, actor, personId, input);
        break;
      case 'sign-in-link': {
        // E-mailed when SMTP is configured; else shown once to the admin, who gives it to the person. Only its hash is kept.
        const token = await issueSignInLink(db, actor, personId, {
          mailer: config.mail ? context.services.queue : null,
          policy: context.services.passwords.policy,
        });
        return {
          problems: {},
          link: token ? signInUrl(publicOriginOf(request, context), token) : null,
          emailed: token === null,
        };
      }
    }
    return { problems: {}, link: null, emailed: false };
  }, [400, 409]);
}

export default function Person() {
  const { t } = useTranslation();
  const data = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const busy = useNavigation().state !== 'idle';
  const { person } = data;
  const result = outcome && 'result' in outcome ? outcome.result : null;
  const error = outcome && 'error' in outcome ? outcome.error : null;
  return (
    <section>
      <p>
        <Link to="/admin/people">← {t('admin.nav.people')}</Link>
      </p>
      <h1>
        {person.fullName} {person.disabled ? <span className="badge">{t('admin.people.states.disabled')}</span> : null}
      </h1>
      <p className="muted">
        {person.hasPassword ? t('admin.people.hasPassword') : t('admin.people.states.no_password')} ·{' '}
        {t('admin.people.sessions', { count: data.activeSessions })}
      </p>
      <FormError error={error} />
      {result && !result.link && !result.emailed && Object.keys(result.problems).length === 0 ? (
        <p className="notice" role="status">
          {t('admin.saved')}
        </p>
      ) : null}
      <AccountPanel person={person} result={result} identities={data.identities} zone={data.timeZone} busy={busy} />
      <section className="panel">
        <h2>{t('admin.people.details')}</h2>
        <PersonFieldsForm
          intent="update"
          values={{ ...person, externalId: person.externalId ?? '' }}
          problems={result?.problems}
          busy={busy}
        />
      </section>
      <Roles roles={data.roles} pickers={data.pickers} zone={data.timeZone} busy={busy} />
      <Groups data={data} busy={busy} />
    </section>
  );
}
