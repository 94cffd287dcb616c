// The button that starts single sign-on: a plain form post to /login (the browser then goes to the
// university's provider), so it works before the page's scripts have loaded.
import { Form } from '@remix-run/react';
import { useTranslation } from 'react-i18next';

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
