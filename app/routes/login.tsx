import {
  data,
  redirect,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
} from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { hasDemoAccounts } from '../../db/seed.ts';
import { logIn } from '../../server/auth/login.ts';
import { sessionCookie } from '../../server/auth/sessions.ts';
import { SSO_CALLBACK_PATH, ssoBindingCookie } from '../../server/auth/sso-cookie.ts';
import { AppError, httpStatusOf, isAppError } from '../../server/errors.ts';
import { chosenLocale } from '../../server/i18n/i18n.ts';
import { SsoButton } from '../components/sso-button.tsx';
import {
  formOf,
  getUser,
  isSecure,
  publicOriginOf,
  safeRedirect,
  ssoOffer,
  type ErrorPayload,
} from '../guards.server.ts';
import { titled } from '../components/page-title.ts';

const loginSchema = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
  redirectTo: z.string().optional(),
});

export const meta = titled('login.title');

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await getUser(request, context)) throw redirect('/');
  const { services } = context;
  return {
    // The demo's public password is shown only while the demo's accounts exist.
    demo: await hasDemoAccounts(services.db),
    sso: ssoOffer(context),
    passwords: services.passwords.policy,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = Object.fromEntries(await formOf(request));
  const { services, clientIp } = context;
  try {
    if (form.intent === 'sso') {
      // Off to the university's provider; it sends the browser back to /auth/oidc/callback.
      if (!services.oidc) throw new AppError('not_found');
      const { authorizationUrl, binding } = await services.oidc.start(services.db, {
        redirectTo: safeRedirect(form.redirectTo),
        ip: clientIp,
        redirectUri: new URL(SSO_CALLBACK_PATH, publicOriginOf(request, context)).href,
      });
      return redirect(authorizationUrl, {
        headers: { 'Set-Cookie': ssoBindingCookie(binding, { secure: isSecure(request, context) }) },
      });
    }
    const parsed = loginSchema.safeParse(form);
    if (!parsed.success)
      return data({ error: { messageKey: 'login.invalid', params: {} } satisfies ErrorPayload }, { status: 400 });
    const { token } = await logIn(
      services.db,
      // The language chosen on this page (its cookie) becomes the person's.
      {
        email: parsed.data.email,
        password: parsed.data.password,
        ip: clientIp,
        userAgent: request.headers.get('user-agent'),
        locale: chosenLocale(request.headers),
      },
      { sessionTtlMs: services.config.sessionTtlMs, passwords: services.passwords },
    );
    return redirect(safeRedirect(parsed.data.redirectTo), {
      headers: {
        'Set-Cookie': sessionCookie(token, {
          secure: isSecure(request, context),
          maxAgeMs: services.config.sessionTtlMs,
        }),
      },
    });
  } catch (error) {
    if (!isAppError(error)) throw error;
    const status = httpStatusOf(error.code);
    // Waiting (throttled) or the password threads busy: either way, when to try again.
    const headers: HeadersInit =
      error.code === 'too_many_requests' || error.code === 'unavailable'
        ? { 'Retry-After': String(error.params.seconds ?? 1) }
        : {};
    return data(
      { error: { messageKey: error.messageKey, params: error.params } satisfies ErrorPayload },
      { status, headers },
    );
  }
}

/** A form posted without JavaScript gets the page: it still says when to try again. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get('Retry-After');
  return retryAfter ? { 'Retry-After': retryAfter } : new Headers();
};

export default function Login() {
  const { t } = useTranslation();
  const result = useActionData<typeof action>();
  const { demo, sso, passwords } = useLoaderData<typeof loader>();
  const [searchParams] = useSearchParams();
  const redirectTo = searchParams.get('redirectTo') ?? '/';
  const busy = useNavigation().state !== 'idle';
  const error = result?.error ? (
    <p className="form-error" role="alert">
      {t(result.error.messageKey, result.error.params)}
    </p>
  ) : null;
  return (
    <section className="login">
      <h1>{t('login.title')}</h1>
      {searchParams.get('expired') === '1' ? (
        <p className="notice" role="status" data-testid="session-expired">
          {t('login.expired')}
        </p>
      ) : (
        <p className="muted">{t('app.tagline')}</p>
      )}
      {sso ? <SsoButton sso={sso} redirectTo={redirectTo} /> : null}
      {passwords === 'none' ? (
        error
      ) : (
        <>
          {sso ? <p className="muted or">{passwords === 'staff' ? t('sso.orStaff') : t('sso.or')}</p> : null}
          <Form method="post" replace>
            <input type="hidden" name="redirectTo" value={redirectTo} />
            <label>
              {t('login.email')}
              <input name="email" type="email" autoComplete="username" required autoFocus={!sso} />
            </label>
            <label>
              {t('login.password')}
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
            {error}
            <button type="submit" disabled={busy}>
              {t('login.submit')}
            </button>
          </Form>
          <p>
            <Link to="/forgot-password">{t('forgot.link')}</Link>
          </p>
          {demo ? <p className="muted">{t('login.demoHint')}</p> : null}
        </>
      )}
    </section>
  );
}
