// Route guards: who is asking (or a redirect to login), and AppErrors turned into HTTP responses.
import { data, redirect } from '@remix-run/node';
import type { z } from 'zod';
import type { AppLoadContext } from '@remix-run/node';
import { findUserByCookie, type SessionUser } from '../server/auth/sessions.ts';
import { answerableError, httpStatusOf } from '../server/errors.ts';
import type { SsoOffer } from './components/sso-button.tsx';

/** Who is asking; the first thing nearly every page asks the database, so an outage answers 503 here. */
/**
 * The signed-in person, looked up once per request: the root's loader and the page's share the
 * lookup (kept on the request's info, which every loader of one request gets; Remix hands each
 * loader a Request of its own). An action forgets it (remix-answers.ts): it may sign in or out.
 */
export async function getUser(request: Request, context: AppLoadContext): Promise<SessionUser | null> {
  const info = context.requestInfo;
  let lookup = info?.session as Promise<SessionUser | null> | undefined;
  if (!lookup) {
    lookup = findUserByCookie(
      context.services.db,
      request.headers.get('cookie'),
      context.services.config.sessionIdleMs,
    );
    if (info) {
      info.session = lookup;
      lookup.catch(() => delete info.session);
    }
  }
  // Each caller its own answer to a failure (a thrown Response is read once).
  const shared = lookup;
  const user = await orRespond(() => shared);
  if (user && info) info.userId = user.id;
  return user;
}

export async function requireUser(request: Request, context: AppLoadContext): Promise<SessionUser> {
  const user = await getUser(request, context);
  if (!user) {
    const url = new URL(request.url);
    // An action whose session ended: back to this page after signing in, where the form's text is
    // put back (components/form-keeper.tsx), and the login page says why it is asked.
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      url.searchParams.set('resumed', '1');
      throw redirect(`/login?${new URLSearchParams({ redirectTo: url.pathname + url.search, expired: '1' })}`);
    }
    throw redirect(`/login?${new URLSearchParams({ redirectTo: url.pathname + url.search })}`);
  }
  return user;
}

export type ErrorPayload = { messageKey: string; params: Record<string, string | number> };

/**
 * Runs a capability call; an AppError — or the database gone, the disk full (`answerableError`) —
 * becomes a thrown Response with its status, message key and, when waiting helps, `Retry-After`.
 */
export async function orRespond<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const answer = answerableError(error);
    if (!answer) throw error;
    const payload: ErrorPayload = { messageKey: answer.messageKey, params: answer.params };
    const seconds = answer.params.seconds;
    const headers: HeadersInit =
      (answer.code === 'unavailable' || answer.code === 'too_many_requests') && seconds !== undefined
        ? { 'Retry-After': String(seconds) }
        : {};
    throw Response.json(payload, { status: httpStatusOf(answer.code), headers });
  }
}

/** Whether cookies must be `Secure`: the request came over https, or the public address is https (a TLS proxy in front). */
export function isSecure(request: Request, context: AppLoadContext): boolean {
  return (
    new URL(request.url).protocol === 'https:' || (context.services.config.publicOrigin?.startsWith('https:') ?? false)
  );
}

/** The site's address as people reach it: PUBLIC_ORIGIN, else the request's own. */
export function publicOriginOf(request: Request, context: AppLoadContext): string {
  return context.services.config.publicOrigin ?? new URL(request.url).origin;
}

/** Whether (and under what name) the sign-in pages offer the university's single sign-on. */
export function ssoOffer(context: AppLoadContext): SsoOffer {
  const { oidc } = context.services;
  return oidc ? { name: oidc.displayName ?? null } : null;
}

/**
 * A safe place to go after login: a path on this site, never another origin. Browsers forgive a
 * lot (`/\\evil`, `/\t/evil`, `/%2F/evil`), so anything with a backslash, a control character, an
 * encoded slash or a second leading slash is refused, and what is left must parse to this origin
 * and still start with a single slash.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
  if (typeof to !== 'string' || to.length > 2000 || !to.startsWith('/') || to.startsWith('//')) return fallback;
  if (
    to.includes('\\') ||
    [...to].some((char) => char.charCodeAt(0) < 32 || char.charCodeAt(0) === 127) ||
    /%2f|%5c|%09|%0a|%0d|%00/i.test(to)
  )
    return fallback;
  const base = 'http://kabinet.invalid';
  try {
    const url = new URL(to, base);
    const path = `${url.pathname}${url.search}${url.hash}`;
    // Dot segments collapse: `/.//evil` parses to `//evil`, another site once more.
    return url.origin === base && !path.startsWith('//') ? path : fallback;
  } catch {
    return fallback;
  }
}

/**
 * A request's form, or a thrown 400: a body that is no form (another content type, malformed), or a
 * field holding a NUL (no text column stores one).
 */
export async function formOf(request: Request): Promise<FormData> {
  const invalid = () =>
    Response.json({ messageKey: 'errors.invalid_input', params: {} } satisfies ErrorPayload, { status: 400 });
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw invalid();
  }
  for (const value of form.values()) if (typeof value === 'string' && value.includes('\0')) throw invalid();
  return form;
}

/** The form's fields checked by `schema`, or a thrown 400 naming the first message people can read. */
export async function readForm<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  const parsed = schema.safeParse(Object.fromEntries(await formOf(request)));
  if (parsed.success) return parsed.data;
  const messageKey =
    parsed.error.issues.find((issue) => /^[a-z]\w*(\.\w+)+$/.test(issue.message))?.message ?? 'errors.invalid_input';
  throw Response.json({ messageKey, params: {} } satisfies ErrorPayload, { status: 400 });
}

/**
 * Runs a form's work. Mistakes a person can correct (400, and the other statuses given) come back
 * to the form as `{ error }`; other refusals (401/403/404) and redirects are thrown on.
 */
export async function formResult<T>(work: () => Promise<T>, backToForm: readonly number[] = [400]) {
  try {
    return { error: null, result: await orRespond(work) };
  } catch (response) {
    if (response instanceof Response && backToForm.includes(response.status)) {
      return data({ error: (await response.json()) as ErrorPayload, result: null }, { status: response.status });
    }
    throw response;
  }
}
