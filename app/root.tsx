import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import {
  Form,
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from '@remix-run/react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import type { Locale } from '../db/schema.ts';
import { negotiateLocale } from '../server/i18n/i18n.ts';
import { locales } from '../server/common/locales.ts';
import { roleNames } from '../server/auth/permissions.ts';
import { getUser } from './guards.server.ts';
import { useDictionary } from './dictionaries.ts';
import { i18nFor } from './i18n.ts';
import { useNonce } from './nonce.ts';
import stylesUrl from './styles/app.css?url';
import { FormKeeper } from './components/form-keeper.tsx';
import { unreadCount } from '../server/notices/notices.ts';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: stylesUrl }];

/** Pages without a title of their own are titled by the app's name (each route's `meta` replaces this). */
export const meta: MetaFunction = () => [{ title: 'Kabinet' }];

/** A page refused while the database is away still says when to try again. */
export const headers: HeadersFunction = ({ errorHeaders }) => {
  const retryAfter = errorHeaders?.get('Retry-After');
  return retryAfter ? { 'Retry-After': retryAfter } : new Headers();
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getUser(request, context);
  const locale = negotiateLocale(request.headers, user?.locale);
  const unread = user ? await unreadCount(context.services.db, user.id) : 0;
  return { locale, user: user ? { id: user.id, fullName: user.fullName, roles: roleNames(user), unread } : null };
}

function LanguageSwitcher({ locale }: { locale: Locale }) {
  const { t } = useTranslation();
  const location = useLocation();
  return (
    <Form method="post" action="/language" className="language" aria-label={t('language.label')}>
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      {locales.map((code) => (
        <button key={code} type="submit" name="locale" value={code} aria-pressed={code === locale} lang={code}>
          {t(`language.${code}`)}
        </button>
      ))}
    </Form>
  );
}

type HeaderUser = { fullName: string; roles: string[]; unread: number };

/** The way to one's notifications, with how many are new (100 and more: "99+"). */
function NotificationsLink({ unread }: { unread: number }) {
  const { t } = useTranslation();
  return (
    <Link to="/notifications" className="notifications-link" data-testid="notifications-link">
      {t('nav.notifications')}
      {unread > 0 ? (
        <strong className="unread-count" data-testid="unread">
          {unread > 99 ? '99+' : t('nav.unread', { count: unread })}
        </strong>
      ) : null}
    </Link>
  );
}

function Header({ locale, user }: { locale: Locale; user: HeaderUser | null }) {
  const { t } = useTranslation();
  return (
    <header className="top">
      <Link to="/" className="brand">
        {t('app.name')}
      </Link>
      <LanguageSwitcher locale={locale} />
      {user ? (
        <div className="who">
          <NotificationsLink unread={user.unread} />
          <Link to="/account" className="account-link">
            {user.fullName}
            {user.roles.length > 0 ? ` · ${user.roles.map((role) => t(`roles.${role}`)).join(', ')}` : null}
          </Link>
          <Form method="post" action="/logout">
            <button type="submit">{t('nav.logout')}</button>
          </Form>
        </div>
      ) : null}
    </header>
  );
}

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRouteLoaderData<typeof loader>('root');
  const locale = data?.locale ?? 'ky';
  const shown = useDictionary(locale);
  const i18n = i18nFor(shown.locale, shown.dictionary);
  const nonce = useNonce();
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <I18nextProvider i18n={i18n}>
          <Header locale={locale} user={data?.user ?? null} />
          <main>
            <FormKeeper />
            {children}
          </main>
        </I18nextProvider>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const key =
    isRouteErrorResponse(error) && typeof error.data?.messageKey === 'string'
      ? error.data.messageKey
      : status === 404
        ? 'errors.not_found'
        : 'errors.unexpected';
  return (
    <section className="error">
      <h1>{t('errors.title', { status })}</h1>
      <p>{String(t(key, isRouteErrorResponse(error) ? error.data?.params : undefined))}</p>
      <Link to="/">{t('nav.home')}</Link>
    </section>
  );
}
