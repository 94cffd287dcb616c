// One person for the admin: details, disable or enable (sessions end at once), roles with their
// scope, group memberships (move, add, end; ended ones kept), and a one-time sign-in link.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { importRoles } from '../../server/common/import-kinds.ts';
import { peoplePickers, personPage } from '../../server/admin/people-search.ts';
import {
  addRole,
  endRole,
  issueSignInLink,
  setDisabled,
  setMembership,
  unlinkIdentity,
  updatePerson,
} from '../../server/admin/people.ts';
import { signInUrl } from '../../server/auth/sign-in-links.ts';
import { currentTerm, defaultTimeZone } from '../../server/cabinets/term.ts';
import { formatTimestamp } from '../components/format.ts';
import { PersonFieldsForm } from '../components/admin/person-fields.tsx';
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

function Roles({
  roles,
  pickers,
  zone,
  busy,
}: {
  roles: Awaited<ReturnType<typeof loader>>['roles'];
  pickers: Awaited<ReturnType<typeof loader>>['pickers'];
  zone: string;
  busy: boolean;
}) {
  const { t } = useTranslation();
  const [role, setRole] = useState<string>('instructor');
  const scopes =
    role === 'dean' ? pickers.faculties : role === 'head' || role === 'instructor' ? pickers.departments : [];
  return (
    <section className="panel">
      <h2>{t('admin.people.roles')}</h2>
      <ul className="plain" data-testid="roles">
        {roles.map((grant) => (
          <li key={grant.id} className={grant.endedAt ? 'archived' : undefined}>
            {t(`roles.${grant.role}`)}
            {grant.scope ? ` · ${grant.scope}` : ''}{' '}
            {grant.endedAt ? (
              <span className="muted">
                ({t('admin.people.ended')} {formatTimestamp(grant.endedAt, zone)})
              </span>
            ) : (
              <Form method="post" className="inline">
                <input type="hidden" name="assignmentId" value={grant.id} />
                <button type="submit" name="intent" value="end-role" className="secondary" disabled={busy}>
                  {t('admin.people.endRole')}
                </button>
              </Form>
            )}
          </li>
        ))}
      </ul>
      <Form method="post" className="form-grid">
        <label>
          {t('admin.people.role')}
          <select name="role" value={role} onChange={(event) => setRole(event.target.value)}>
            {importRoles.map((each) => (
              <option key={each} value={each}>
                {t(`roles.${each}`)}
              </option>
            ))}
          </select>
        </label>
        {scopes.length ? (
          <label>
            {t('admin.people.scope')}
            <select name="scopeId" required>
              {scopes.map((scope) => (
                <option key={scope.id} value={scope.id}>
                  {scope.label}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="submit" name="intent" value="add-role" disabled={busy}>
          {t('admin.people.addRole')}
        </button>
      </Form>
    </section>
  );
}

function Groups({ data, busy }: { data: Awaited<ReturnType<typeof loader>>; busy: boolean }) {
  const { t } = useTranslation();
  const current = new Set(data.groups.map((group) => group.id));
  const groupSelect = (
    <select name="toGroupId" aria-label={t('admin.people.group')} required>
      {data.pickers.groups
        .filter((group) => !current.has(group.id))
        .map((group) => (
          <option key={group.id} value={group.id}>
            {group.label}
          </option>
        ))}
    </select>
  );
  return (
    <section className="panel">
      <h2>{t('admin.people.groups')}</h2>
      <ul className="plain" data-testid="groups">
        {data.groups.map((group) => (
          <li key={group.id}>
            <strong>{group.name}</strong>
            <Form method="post" className="inline-form">
              <input type="hidden" name="fromGroupId" value={group.id} />
              {groupSelect}
              <button type="submit" name="intent" value="membership" disabled={busy}>
                {t('admin.people.move')}
              </button>
            </Form>
            <Form method="post" className="inline">
              <input type="hidden" name="fromGroupId" value={group.id} />
              <button type="submit" name="intent" value="membership" className="secondary" disabled={busy}>
                {t('admin.people.endMembership')}
              </button>
            </Form>
          </li>
        ))}
        {data.endedGroups.map((group) => (
          <li key={`${group.name}-${group.endedAt}`} className="archived muted">
            {group.name} ({t('admin.people.ended')} {formatTimestamp(group.endedAt, data.timeZone)})
          </li>
        ))}
      </ul>
      <Form method="post" className="inline-form">
        {groupSelect}
        <button type="submit" name="intent" value="membership" disabled={busy}>
          {t('admin.people.addToGroup')}
        </button>
      </Form>
    </section>
  );
}

function CopyButton({ text }: { text: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="secondary"
      onClick={() =>
        void navigator.clipboard?.writeText(text).then(
          () => setCopied(true),
          () => undefined,
        )
      }
    >
      {copied ? t('admin.copied') : t('admin.copy')}
    </button>
  );
}

/** The person's accounts at the single sign-on provider, each of which the admin may unlink. */
function Identities({
  identities,
  zone,
  busy,
}: {
  identities: Awaited<ReturnType<typeof loader>>['identities'];
  zone: string;
  busy: boolean;
}) {
  const { t } = useTranslation();
  if (identities.length === 0) return null;
  return (
    <ul className="plain" data-testid="identities">
      {identities.map((identity) => (
        <li key={`${identity.issuer} ${identity.subject}`}>
          <Form method="post" className="actions">
            <span className="break">
              {t('admin.people.ssoLinked', {
                since: formatTimestamp(identity.since, zone),
                lastUsed: formatTimestamp(identity.lastUsed, zone),
              })}
              <br />
              <span className="muted small">{identity.subject}</span>
            </span>
            <input type="hidden" name="issuer" value={identity.issuer} />
            <input type="hidden" name="subject" value={identity.subject} />
            <button type="submit" name="intent" value="unlink-sso" className="secondary" disabled={busy}>
              {t('admin.people.ssoUnlink')}
            </button>
          </Form>
        </li>
      ))}
    </ul>
  );
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
      <section className="panel">
        <h2>{t('admin.people.account')}</h2>
        {result?.emailed ? (
          <p className="notice" role="status" data-testid="sign-in-link-emailed">
            {t('admin.people.linkEmailed', { email: person.email })}
          </p>
        ) : null}
        {result?.link ? (
          <p>
            <label>
              {t('admin.people.linkOnce')}
              <input
                readOnly
                value={result.link}
                data-testid="sign-in-link"
                onFocus={(event) => event.currentTarget.select()}
              />
            </label>
            <CopyButton text={result.link} />
          </p>
        ) : null}
        <Identities identities={data.identities} zone={data.timeZone} busy={busy} />
        <Form method="post" className="actions">
          <button type="submit" name="intent" value="sign-in-link" disabled={busy || person.disabled}>
            {t('admin.people.makeLink')}
          </button>
          <button
            type="submit"
            name="intent"
            value={person.disabled ? 'enable' : 'disable'}
            className={person.disabled ? 'secondary' : 'danger'}
            disabled={busy}
            onClick={(event) => {
              if (!person.disabled && !window.confirm(t('admin.people.confirmDisable'))) event.preventDefault();
            }}
          >
            {t(person.disabled ? 'admin.people.enable' : 'admin.people.disable')}
          </button>
        </Form>
      </section>
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
