// What a person typed survives a session that ended under them. Every form posted keeps its text
// fields in this tab's sessionStorage for a moment; when the server answers an action with "sign in
// again" (guards.server.ts `requireUser`), the login sends the person back with `resumed=1`, and
// this puts the text back into the same form on the same page, opens it if it was folded, and says
// so: pressing the button again does what was lost. Passwords and files are never kept.
import { useSearchParams } from '@remix-run/react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

const KEY = 'kabinet:form-draft';
const KEPT_FOR_MS = 60 * 60 * 1000;
const kept = new Set(['text', 'textarea', 'number', 'date', 'datetime-local', 'email', 'url', 'search', 'select-one']);

type Draft = { path: string; intent: string; fields: [string, string][]; at: number };

/** The intent a form posts (its submitter's, or a hidden field's), which tells forms of one page apart. */
const intentOf = (form: HTMLFormElement, submitter: HTMLElement | null) =>
  (submitter instanceof HTMLButtonElement && submitter.name === 'intent' ? submitter.value : null) ??
  (form.elements.namedItem('intent') as HTMLInputElement | null)?.value ??
  '';

function keep(event: SubmitEvent): void {
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
  const draft: Draft = {
    path: window.location.pathname,
    intent: intentOf(form, event.submitter),
    fields,
    at: Date.now(),
  };
  if (fields.length) sessionStorage.setItem(KEY, JSON.stringify(draft));
}

/** Puts a kept draft back into the page's form with the same intent; whether it found one. */
function restore(draft: Draft): boolean {
  const form = [...document.forms].find(
    (candidate) =>
      (candidate.elements.namedItem('intent') as HTMLInputElement | null)?.value === draft.intent ||
      candidate.querySelector(`button[name=intent][value="${CSS.escape(draft.intent)}"]`),
  );
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

export function FormKeeper() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const [restored, setRestored] = useState(false);
  useEffect(() => {
    document.addEventListener('submit', keep, true);
    return () => document.removeEventListener('submit', keep, true);
  }, []);
  const resumed = params.get('resumed') === '1';
  useEffect(() => {
    if (!resumed) return;
    // After the page's forms are on screen (the next frame): put the text back, then drop the marker.
    const frame = requestAnimationFrame(() => {
      const text = sessionStorage.getItem(KEY);
      const draft = text ? (JSON.parse(text) as Draft) : null;
      sessionStorage.removeItem(KEY);
      setRestored(
        draft !== null &&
          draft.path === window.location.pathname &&
          Date.now() - draft.at < KEPT_FOR_MS &&
          restore(draft),
      );
      setParams(
        (current) => {
          current.delete('resumed');
          return current;
        },
        { replace: true, preventScrollReset: true },
      );
    });
    return () => cancelAnimationFrame(frame);
  }, [resumed, setParams]);
  return restored ? (
    <p className="notice" role="status" data-testid="form-restored">
      {t('session.restored')}
    </p>
  ) : null;
}
