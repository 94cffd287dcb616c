// "Forgot password": a sign-in link by e-mail. The answer is the same whether or not the address is known.
import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { requestPasswordReset } from '../../server/auth/account.ts';
import { isAppError } from '../../server/errors.ts';
import { FormError } from '../components/form-error.tsx';
import { titled } from '../components/page-title.ts';
import { PasswordOff, SsoButton } from '../components/sso-button.tsx';
import { readForm, ssoOffer, type ErrorPayload } from '../guards.server.ts';

export async function loader({ context }: LoaderFunctionArgs) {
  const { config } = context.services;
  // Without e-mail, links come from the administrator: the page says so instead of a form. Without
  // passwords at all, it points to the university's sign-in.
  return {
    byMail: Boolean(config.mail),
    passwordsOff: context.services.passwords.policy === 'none',
    sso: ssoOffer(context),
  };
}

export const meta = titled('forgot.title');

export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get('Retry-After');
  return retryAfter ? { 'Retry-After': retryAfter } : new Headers();
};

export async function action({ request, context }: ActionFunctionArgs) {
  const { email } = await readForm(request, z.object({ email: z.string().trim().min(3).max(254) }));
  const { services, clientIp } = context;
  try {
    await requestPasswordReset(services.db, services.config.mail ? services.queue : null, {
      email,
      ip: clientIp,
      policy: services.passwords.policy,
    });
    return { sent: true, error: null };
  } catch (error) {
    if (!isAppError(error) || error.code !== 'too_many_requests') throw error;
    const payload: ErrorPayload = { messageKey: error.messageKey, params: error.params };
    return data(
      { sent: false, error: payload },
      { status: 429, headers: { 'Retry-After': String(error.params.seconds ?? 1) } },
    );
  }
}

export default function ForgotPassword() {
  const { t } = useTranslation();
  const { byMail, passwordsOff, sso } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const busy = useNavigation().state !== 'idle';
  return (
    <section className="login">
      <h1>{t('forgot.title')}</h1>
      {passwordsOff ? (
        <>
          <PasswordOff sso={sso} />
          {sso ? <SsoButton sso={sso} redirectTo="/" /> : null}
        </>
      ) : !byMail ? (
        <p>{t('forgot.askAdmin')}</p>
      ) : outcome?.sent ? (
        <p role="status" data-testid="forgot-sent">
          {t('forgot.sent')}
        </p>
      ) : (
        <Form method="post">
          <p className="muted">{t('forgot.hint')}</p>
          <label>
            {t('login.email')}
            <input name="email" type="email" autoComplete="username" required maxLength={254} />
          </label>
          <FormError error={outcome?.error} />
          <button type="submit" disabled={busy}>
            {t('forgot.submit')}
          </button>
        </Form>
      )}
      <p>
        <Link to="/login">{t('signIn.toLogin')}</Link>
      </p>
    </section>
  );
}
