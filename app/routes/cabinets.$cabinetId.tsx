// A cabinet: its plan week by week with what is delivered in each slot, and the extra items. The
// instructor edits, uploads, publishes and adds assessments here; students and staff read.
import { randomUUID } from 'node:crypto';
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { getCabinetPage, type CabinetPage as Page } from '../../server/cabinets/cabinet-page.ts';
import { reuseSources } from '../../server/cabinets/reuse.ts';
import { AssignmentForm, QuizForm } from '../components/cabinet/assessment-forms.tsx';
import { CopyFromTerm } from '../components/cabinet/copy-from-term.tsx';
import { ItemBlock } from '../components/cabinet/item-block.tsx';
import { Weeks } from '../components/cabinet/weeks.tsx';
import { RecentlyRemoved, UndoNotice } from '../components/cabinet/recently-removed.tsx';
import { formResult, orRespond, readForm, requireUser } from '../guards.server.ts';
import { useLiveProcessing } from '../hooks/use-live-processing.ts';
import { titled } from '../components/page-title.ts';
import { intentSchema, runIntent } from '../cabinet-intents.server.ts';
import { recentlyRemoved } from '../../server/cabinets/removal.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const page = await orRespond(() =>
    getCabinetPage(context.services.db, user, params.cabinetId ?? '', new Date(), user.locale),
  );
  // Earlier cabinets of the same subject to copy from: the instructor's own, shown to them only.
  const sources = page.canEdit ? await reuseSources(context.services.db, user, page.id) : [];
  // What the instructor removed and can still restore.
  const removed = page.canEdit
    ? await recentlyRemoved(context.services.db, user, page.id, context.services.config.removedRetentionMs)
    : [];
  // requestKey: a fresh one each time the page loads, so a double submit of "create" makes one item.
  return {
    page,
    sources,
    removed,
    chunkSize: context.services.config.uploadChunkBytes,
    now: new Date().toISOString(),
    requestKey: randomUUID(),
  };
}

export const meta = titled<typeof loader>('cabinet.title', (data) => data.page.subjectName);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const intentContext = {
    services: context.services,
    actor: { user, ip: context.clientIp },
    cabinetId: params.cabinetId ?? '',
  };
  return formResult(async () => runIntent(intentContext, await readForm(request, intentSchema)), [400, 409]);
}

/** What the cabinet is: subject, term, instructor and groups; the question bank for the instructor. */
function CabinetHead({ page }: { page: Page }) {
  const { t } = useTranslation();
  return (
    <>
      <p>
        {page.reportLink ? (
          <Link to={page.reportLink} data-testid="report-back">
            ← {t('report.back')}
          </Link>
        ) : (
          <Link to="/">← {t('nav.home')}</Link>
        )}
      </p>
      <h1>
        {page.subjectName} <span className="muted">{page.subjectCode}</span>
      </h1>
      <p className="muted">
        {t('cabinet.title')} · {t('term.label', { year: page.term.academicYear, semester: page.term.semester })} ·{' '}
        {t('cabinet.instructor', { name: page.instructorName })} ·{' '}
        {t('cabinet.groups', { groups: page.groups.join(', ') })}
      </p>
      {page.canEdit ? (
        <p>
          <Link to={`/cabinets/${page.id}/questions`} data-testid="question-bank-link">
            {t('quiz.bank')}
          </Link>
        </p>
      ) : null}
    </>
  );
}

/** A new extra item (not in a plan slot); the request key makes a double submit create one. */
function NewItemForm({ requestKey }: { requestKey: string }) {
  const { t } = useTranslation();
  const busy = useNavigation().state === 'submitting';
  return (
    <Form method="post" className="new-item">
      <h3>{t('cabinet.addExtra')}</h3>
      <input type="hidden" name="intent" value="create-item" />
      <input type="hidden" name="requestKey" value={requestKey} />
      <label>
        {t('cabinet.itemTitle')}
        <input name="title" required maxLength={200} />
      </label>
      <label>
        {t('cabinet.itemDescription')}
        <textarea name="description" maxLength={5000} rows={2} />
      </label>
      <button type="submit" disabled={busy}>
        {t('cabinet.create')}
      </button>
    </Form>
  );
}

/** Items outside the plan, and for the instructor the forms that add one. */
function Extras({ page, chunkSize, requestKey }: { page: Page; chunkSize: number; requestKey: string }) {
  const { t } = useTranslation();
  const extras = page.items.filter((item) => !item.slotId);
  return (
    <section className="week extras">
      <h2>{t('cabinet.extraTitle')}</h2>
      {extras.length === 0 ? <p className="muted">{t('cabinet.noExtras')}</p> : null}
      {extras.map((item) => (
        <ItemBlock key={item.id} item={item} page={page} chunkSize={chunkSize} />
      ))}
      {page.canEdit ? <NewItemForm requestKey={requestKey} /> : null}
      {page.canEdit ? (
        <div className="new-extra-assessment">
          <AssignmentForm />
          <QuizForm />
        </div>
      ) : null}
    </section>
  );
}

export default function CabinetPage() {
  const { t } = useTranslation();
  const { page, sources, removed, chunkSize, now, requestKey } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  useLiveProcessing(page);
  const currentWeek =
    Math.floor((Date.parse(now) - Date.parse(`${page.term.startsOn}T00:00:00Z`)) / (7 * 24 * 3600 * 1000)) + 1;
  return (
    <section className="cabinet">
      <CabinetHead page={page} />
      {sources.length ? <CopyFromTerm sources={sources} /> : null}
      {result?.result && 'copied' in result.result ? (
        <p className="notice" role="status" data-testid="copy-result">
          {t('reuse.done', result.result.copied)}
        </p>
      ) : null}
      {result?.result && !('copied' in result.result) ? <UndoNotice outcome={result.result} /> : null}
      {result?.error ? (
        <p className="form-error" role="alert">
          {t(result.error.messageKey, result.error.params)}
        </p>
      ) : null}
      {!page.canEdit && page.items.length === 0 ? <p>{t('cabinet.nothingYet')}</p> : null}
      <Weeks page={page} chunkSize={chunkSize} currentWeek={currentWeek} />
      <Extras page={page} chunkSize={chunkSize} requestKey={requestKey} />
      {page.canEdit ? <RecentlyRemoved entries={removed} timeZone={page.term.timeZone} /> : null}
    </section>
  );
}
