// What a person typed survives a session that ended under them. Every form posted keeps its text
// fields in this tab's sessionStorage for a while; when the server answers an action with "sign in
// again" (guards.server.ts `requireUser`), the login sends the person back with `resumed=1`, and
// this puts the text back into the form about the same thing (its intent and the ids in its hidden
// fields: the same student's grade, the same slot) on the same page, for the same person, opens it
// if it was folded, and says so: pressing the button again does what was lost. A post without text
// forgets an older draft; passwords and files are never kept.
import { useLocation, useRouteLoaderData, useSearchParams } from '@remix-run/react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

const KEY = 'kabinet:form-draft';
const KEPT_FOR_MS = 60 * 60 * 1000;
const kept = new Set(['text', 'textarea', 'number', 'date', 'datetime-local', 'email', 'url', 'search', 'select-one']);

/** What a form is about: its intent and the ids in its hidden fields, sorted by name. */
type Identity = [string, string][];
type Draft = { userId: string; path: string; identity: Identity; fields: [string, string][]; at: number };

function identityOf(form: HTMLFormElement, submitter: HTMLElement | null): Identity {
  const hidden = [...form.querySelectorAll<HTMLInputElement>('input[type=hidden]')]
    .filter((input) => input.name === 'intent' || /Id$/.test(input.name))
    .map((input): [string, string] => [input.name, input.value]);
  const pressed: Identity =
    submitter instanceof HTMLButtonElement && submitter.name === 'intent' ? [['intent', submitter.value]] : [];
  return [...hidden, ...pressed].sort(([a], [b]) => a.localeCompare(b));
}
const sameIdentity = (a: Identity, b: Identity) => JSON.stringify(a) === JSON.stringify(b);

/** Keeps the text of a form being posted (and forgets an older draft when this one has none). */
function keep(event: SubmitEvent, userId: string): void {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== 'post') return;
  if (form.querySelector('input[type=password]')) return;
  const fields = [...form.elements].flatMap((element) =>
    (element instanceof HTMLInputElement ||
      element instanceof HTMLTextAreaElement ||
      element instanceof HTMLSelectElement) &&
    element.name &&
    kept.has(element.type) &&
    element.value
      ? [[element.name, element.value] as [string, string]]
      : [],
  );
  if (!fields.length) return sessionStorage.removeItem(KEY);
  const identity = identityOf(form, event.submitter);
  const draft: Draft = { userId, path: window.location.pathname, identity, fields, at: Date.now() };
  sessionStorage.setItem(KEY, JSON.stringify(draft));
}

/** Puts a kept draft back into the page's form about the same thing; whether it found one. */
function restore(draft: Draft): boolean {
  const form = [...document.forms].find((candidate) => {
    const buttons = [...candidate.querySelectorAll<HTMLButtonElement>('button[name=intent]')];
    const identities = buttons.length
      ? buttons.map((button) => identityOf(candidate, button))
      : [identityOf(candidate, null)];
    return identities.some((identity) => sameIdentity(identity, draft.identity));
  });
  if (!form) return false;
  for (const [name, value] of draft.fields) {
    const field = form.elements.namedItem(name);
    if (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement || field instanceof HTMLSelectElement)
      field.value = value;
  }
  for (let folded = form.closest('details'); folded; folded = folded.parentElement?.closest('details') ?? null)
    folded.open = true;
  form.scrollIntoView({ block: 'center' });
  return true;
}

/** A kept draft this page may take back: the same person, the same page, not stale. */
function draftFor(userId: string): Draft | null {
  const text = sessionStorage.getItem(KEY);
  sessionStorage.removeItem(KEY);
  const draft = text ? (JSON.parse(text) as Draft) : null;
  return draft &&
    draft.userId === userId &&
    draft.path === window.location.pathname &&
    Date.now() - draft.at < KEPT_FOR_MS
    ? draft
    : null;
}

/**
 * Drops `resumed` from the address without a Remix navigation (a navigation would revalidate every
 * loader while the page has just been put back together; the router keeps its own copy, harmlessly).
 */
function forgetResumed(): void {
  const url = new URL(window.location.href);
  url.searchParams.delete('resumed');
  window.history.replaceState(window.history.state, '', url);
}

export function FormKeeper() {
  const { t } = useTranslation();
  const userId = useRouteLoaderData<{ user: { id: string } | null }>('root')?.user?.id ?? '';
  const [params] = useSearchParams();
  const { pathname } = useLocation();
  /** The page whose form was put back (the notice leaves with the page). */
  const [restoredOn, setRestoredOn] = useState<string | null>(null);
  useEffect(() => {
    const onSubmit = (event: SubmitEvent) => keep(event, userId);
    document.addEventListener('submit', onSubmit, true);
    return () => document.removeEventListener('submit', onSubmit, true);
  }, [userId]);
  const resumed = params.get('resumed') === '1';
  useEffect(() => {
    if (!resumed) return;
    // After the page's forms are on screen (the next frame): put the text back, then drop the marker.
    const frame = requestAnimationFrame(() => {
      const draft = draftFor(userId);
      forgetResumed();
      if (draft !== null && restore(draft)) setRestoredOn(window.location.pathname);
    });
    return () => cancelAnimationFrame(frame);
  }, [resumed, userId]);
  return restoredOn === pathname ? (
    <p className="notice" role="status" data-testid="form-restored">
      {t('session.restored')}
    </p>
  ) : null;
}
