// Single sign-on on the sign-in pages: the button that starts it — a plain form post to /login
// (the browser then goes to the university's provider), so it works before the page's scripts
// have loaded — and the sentence for people who have no password in Kabinet.
import { Form } from '@remix-run/react';
import { useTranslation } from 'react-i18next';

/** Whether (and under what name) the pages offer single sign-on (`ssoOffer` in guards.server.ts). */
export type SsoOffer = { name: string | null } | null;

export function SsoButton({ sso, redirectTo }: { sso: NonNullable<SsoOffer>; redirectTo: string }) {
  const { t } = useTranslation();
  return (
    <Form method="post" action="/login" reloadDocument className="sso">
      <input type="hidden" name="intent" value="sso" />
      <input type="hidden" name="redirectTo" value={redirectTo} />
      <button type="submit" className="secondary" data-testid="sso">
        {sso.name ? t('sso.button', { name: sso.name }) : t('sso.buttonDefault')}
      </button>
    </Form>
  );
}

/** "You sign in with KNU ID: Kabinet keeps no password for you." */
export function PasswordOff({ sso }: { sso: SsoOffer }) {
  const { t } = useTranslation();
  return (
    <p data-testid="password-off">
      {sso?.name ? t('sso.passwordOff', { name: sso.name }) : t('sso.passwordOffDefault')}
    </p>
  );
}
