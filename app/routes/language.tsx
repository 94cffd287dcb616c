import { redirect, type ActionFunctionArgs } from '@remix-run/node';
import { stringifySetCookie } from 'cookie';
import { isLocale, LOCALE_COOKIE } from '../../server/common/locales.ts';
import { formOf, getUser, isSecure, safeRedirect } from '../guards.server.ts';

// Anyone may choose a language: it is kept in a cookie, and on the account when logged in.
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await formOf(request);
  const locale = form.get('locale');
  const back = safeRedirect(form.get('redirectTo'));
  if (!isLocale(locale)) return redirect(back);
  const user = await getUser(request, context);
  if (user) await context.services.db.updateTable('app_user').set({ locale }).where('id', '=', user.id).execute();
  const cookie = stringifySetCookie({
    name: LOCALE_COOKIE,
    value: locale,
    path: '/',
    sameSite: 'lax',
    secure: isSecure(request, context),
    maxAge: 365 * 24 * 3600,
  });
  return redirect(back, { headers: { 'Set-Cookie': cookie } });
}

export async function loader() {
  return redirect('/');
}
