import { redirect, type ActionFunctionArgs } from '@remix-run/node';
import { clearSessionCookie, readSessionToken, revokeSession } from '../../server/auth/sessions.ts';
import { isSecure } from '../guards.server.ts';

export async function action({ request, context }: ActionFunctionArgs) {
  const token = readSessionToken(request.headers.get('cookie'));
  if (token) await revokeSession(context.services.db, token);
  return redirect('/login', { headers: { 'Set-Cookie': clearSessionCookie({ secure: isSecure(request, context) }) } });
}

export async function loader() {
  return redirect('/');
}
