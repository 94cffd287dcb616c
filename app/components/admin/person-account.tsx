// A person's sign-in on the admin's person page: a one-time sign-in link (shown once, or e-mailed),
// their single sign-on accounts to unlink, and disabling or enabling them.
import { Form } from '@remix-run/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PersonPage } from '../../../server/admin/person-page.ts';
import { formatTimestamp } from '../../../server/common/format.ts';

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
function Identities({ identities, zone, busy }: { identities: PersonPage['identities']; zone: string; busy: boolean }) {
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

/** The account panel: `result` is what the last action answered (a link made, or e-mailed). */
export function AccountPanel({
  person,
  result,
  identities,
  zone,
  busy,
}: {
  person: { email: string; disabled: boolean };
  result: { link: string | null; emailed: boolean } | null;
  identities: PersonPage['identities'];
  zone: string;
  busy: boolean;
}) {
  const { t } = useTranslation();
  return (
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
      <Identities identities={identities} zone={zone} busy={busy} />
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
  );
}
