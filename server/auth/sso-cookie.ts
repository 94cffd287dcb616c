// The cookie that binds a single sign-on under way to the browser that started it (oidc.ts): sent
// only to the callback, for as long as a sign-in may take.
import { parseCookie, stringifySetCookie } from 'cookie';
import { OIDC_CALLBACK_PATH, OIDC_COOKIE, pendingTtlMs } from './oidc.ts';

export function ssoBindingCookie(binding: string, options: { secure: boolean }): string {
  // Lax: the provider's redirect back is a top-level GET from another site, which Lax lets through.
  return stringifySetCookie({ name: OIDC_COOKIE, value: binding, httpOnly: true, sameSite: 'lax', secure: options.secure, path: OIDC_CALLBACK_PATH, maxAge: pendingTtlMs / 1000 });
}

export function clearSsoBindingCookie(options: { secure: boolean }): string {
  return stringifySetCookie({ name: OIDC_COOKIE, value: '', httpOnly: true, sameSite: 'lax', secure: options.secure, path: OIDC_CALLBACK_PATH, maxAge: 0 });
}

export function readSsoBinding(cookieHeader: string | null): string | null {
  return cookieHeader ? (parseCookie(cookieHeader)[OIDC_COOKIE] ?? null) : null;
}
