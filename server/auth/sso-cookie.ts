// The cookie that binds a single sign-on under way to the browser that started it (oidc.ts): sent
// only to the callback, for as long as a sign-in may take.
import { parseCookie, stringifySetCookie } from 'cookie';

export const SSO_COOKIE = 'kabinet_sso';
/** Where the provider sends the browser back: register `PUBLIC_ORIGIN` + this at the provider. */
export const SSO_CALLBACK_PATH = '/auth/oidc/callback';
/** How long a person may spend at the provider (a password, a second factor). */
export const ssoPendingTtlMs = 15 * 60 * 1000;

export function ssoBindingCookie(binding: string, options: { secure: boolean }): string {
  // Lax: the provider's redirect back is a top-level GET from another site, which Lax lets through.
  return stringifySetCookie({
    name: SSO_COOKIE,
    value: binding,
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    path: SSO_CALLBACK_PATH,
    maxAge: ssoPendingTtlMs / 1000,
  });
}

export function clearSsoBindingCookie(options: { secure: boolean }): string {
  return stringifySetCookie({
    name: SSO_COOKIE,
    value: '',
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    path: SSO_CALLBACK_PATH,
    maxAge: 0,
  });
}

export function readSsoBinding(cookieHeader: string | null): string | null {
  return cookieHeader ? (parseCookie(cookieHeader)[SSO_COOKIE] ?? null) : null;
}
