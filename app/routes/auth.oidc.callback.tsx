// Where the university's provider sends the browser back after single sign-on: a session for the
// person it names, or a page that says why not (cancelled, too late, unknown to Kabinet …).
import { data, redirect, type HeadersFunction, type LoaderFunctionArgs } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { sessionCookie } from '../../server/auth/sessions.ts';
import { clearSsoBindingCookie, readSsoBinding } from '../../server/auth/sso-cookie.ts';
import { httpStatusOf, isAppError } from '../../server/errors.ts';
import { chosenLocale } from '../../server/i18n/i18n.ts';
import { titled } from '../components/page-title.ts';
import { isSecure, publicOriginOf, type ErrorPayload } from '../guards.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { services, clientIp } = context;
  if (!services.oidc) throw new Response('Not Found', { status: 404 });
  const secure = isSecure(request, context);
  const headers = new Headers({ 'Cache-Control': 'no-store' });
  // The binding is used up whatever happens next.
  headers.append('Set-Cookie', clearSsoBindingCookie({ secure }));
  const url = new URL(request.url);
  try {
    const signedIn = await services.oidc.finish(services.db, {
      binding: readSsoBinding(request.headers.get('cookie')),
      // The address the provider redirected to: the public one, also behind a proxy.
      currentUrl: new URL(`${url.pathname}${url.search}`, publicOriginOf(request, context)),
      ip: clientIp,
      userAgent: request.headers.get('user-agent'),
      locale: chosenLocale(request.headers),
      sessionTtlMs: services.config.sessionTtlMs,
    });
    headers.append('Set-Cookie', sessionCookie(signedIn.token, { secure, maxAgeMs: services.config.sessionTtlMs }));
    return redirect(signedIn.redirectTo, { headers });
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.code === 'unavailable') headers.set('Retry-After', String(error.params.seconds ?? 30));
    return data(
      { error: { messageKey: error.messageKey, params: error.params } satisfies ErrorPayload },
      { status: httpStatusOf(error.code), headers },
    );
  }
}

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export const meta = titled('sso.title');

export default function SsoCallback() {
  const { t } = useTranslation();
  const { error } = useLoaderData<typeof loader>();
  return (
    <section className="login">
      <h1>{t('sso.title')}</h1>
      <p role="alert" data-testid="sso-error">
        {t(error.messageKey, error.params)}
      </p>
      <p>
        <Link to="/login">{t('signIn.toLogin')}</Link>
      </p>
    </section>
  );
}
