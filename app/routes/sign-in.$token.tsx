// A one-time sign-in link: the person chooses their password (10–256 characters) and is signed in.
// A used, expired or unknown link says so and nothing else.
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
} from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { sessionCookie } from '../../server/auth/sessions.ts';
import { passwordLimits } from '../../server/common/password-rules.ts';
import { passwordAllowed } from '../../server/auth/password-login.ts';
import { findSignInLink, setPasswordWithLink } from '../../server/auth/sign-in-links.ts';
import { titled } from '../components/page-title.ts';
import { FormError } from '../components/form-error.tsx';
import { PasswordOff, SsoButton } from '../components/sso-button.tsx';
import { formOf, formResult, isSecure, ssoOffer } from '../guards.server.ts';

export async function loader({ params, context }: LoaderFunctionArgs) {
  const { db, passwords } = context.services;
  const link = await findSignInLink(db, params.token ?? '');
  // Not found: nothing is said about whom a dead link was for.
  if (!link)
    return data(
      { person: null, passwordUsable: false, sso: null },
      { status: 404, headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' } },
    );
  // Someone who signs in through the university's provider is sent there instead of choosing a password.
  const passwordUsable = await passwordAllowed(db, link.userId, passwords.policy);
  return data(
    { person: { email: link.email, fullName: link.fullName }, passwordUsable, sso: ssoOffer(context) },
    { headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' } },
  );
}

export const meta = titled('signIn.title');

/** The page carries the person's name and the link: never cached, never sent on as a referrer. */
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

const schema = z.object({ password: z.string().max(1024), confirm: z.string().max(1024) });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { services, clientIp } = context;
  const form = schema.safeParse(Object.fromEntries(await formOf(request)));
  if (!form.success || form.data.password !== form.data.confirm)
    return data({ error: { messageKey: 'signIn.mismatch', params: {} }, result: null }, { status: 400 });
  const outcome = await formResult(
    () =>
      setPasswordWithLink(services.db, {
        token: params.token ?? '',
        password: form.data.password,
        ip: clientIp,
        userAgent: request.headers.get('user-agent'),
        sessionTtlMs: services.config.sessionTtlMs,
        passwords: services.passwords,
      }),
    [400, 403, 404],
  );
  if ('result' in outcome && outcome.result) {
    throw redirect('/', {
      headers: {
        'Set-Cookie': sessionCookie(outcome.result.sessionToken, {
          secure: isSecure(request, context),
          maxAgeMs: services.config.sessionTtlMs,
        }),
      },
    });
  }
  return outcome;
}

export default function SignInLink() {
  const { t } = useTranslation();
  const { person, passwordUsable, sso } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const busy = useNavigation().state !== 'idle';
  const error = outcome && 'error' in outcome ? outcome.error : null;
  if (!person) {
    return (
      <section className="login">
        <h1>{t('admin.people.signInLink')}</h1>
        <p role="alert">{t('signIn.linkInvalid')}</p>
        <p>
          <Link to="/login">{t('signIn.toLogin')}</Link>
        </p>
      </section>
    );
  }
  if (!passwordUsable) {
    return (
      <section className="login">
        <h1>{t('signIn.title')}</h1>
        <p>{t('signIn.welcome', { name: person.fullName })}</p>
        <PasswordOff sso={sso} />
        {sso ? <SsoButton sso={sso} redirectTo="/" /> : null}
      </section>
    );
  }
  return (
    <section className="login">
      <h1>{t('signIn.title')}</h1>
      <p>{t('signIn.welcome', { name: person.fullName })}</p>
      <Form method="post" replace>
        <input type="hidden" name="username" autoComplete="username" value={person.email} />
        <label>
          {t('signIn.newPassword', { count: passwordLimits.min })}
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={passwordLimits.min}
            maxLength={passwordLimits.max}
            required
            autoFocus
          />
        </label>
        <label>
          {t('signIn.confirm')}
          <input
            name="confirm"
            type="password"
            autoComplete="new-password"
            minLength={passwordLimits.min}
            maxLength={passwordLimits.max}
            required
          />
        </label>
        <FormError error={error} />
        <button type="submit" disabled={busy}>
          {t('signIn.submit')}
        </button>
      </Form>
    </section>
  );
}
