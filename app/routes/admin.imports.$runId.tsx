// One import: its live progress while the worker reads and checks it (the page refreshes itself; the
// admin may leave and come back), then the preview's counts and problems, and the button that
// applies it — for all rows, or for the valid rows only when the admin chooses so.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { applyImport, importRun, type ImportRunView } from '../../server/admin/imports.ts';
import { ImportCounts, ImportProblems } from '../components/admin/import-report.tsx';
import { titled } from '../components/page-title.ts';
import { FormError } from '../components/form-error.tsx';
import { AppError } from '../../server/errors.ts';
import { formResult, orRespond, readForm, requireUser } from '../guards.server.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const run = await orRespond(() => importRun(context.services.db, user, params.runId ?? ''));
  // Invitations go by e-mail, and only to people who may have a password.
  return { ...run, canInvite: canInvite(context) };
}

const canInvite = (context: LoaderFunctionArgs['context']) =>
  Boolean(context.services.config.mail) && context.services.passwords.policy !== 'none';

export const meta = titled<typeof loader>('admin.nav.imports', (data) => data.fileName);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  return formResult(async () => {
    const input = await readForm(
      request,
      z.object({ validOnly: z.enum(['on']).optional(), invite: z.enum(['on']).optional() }),
    );
    if (input.invite && !canInvite(context)) throw new AppError('invalid_input', 'admin.imports.inviteUnavailable');
    await applyImport(context.services.db, context.services.queue, { user, ip: context.clientIp }, params.runId ?? '', {
      validOnly: input.validOnly === 'on',
      invite: input.invite === 'on',
    });
    return { requested: true };
  }, [400, 409]);
}

const running = (state: ImportRunView['state']) => state === 'previewing' || state === 'applying';

/** Rows read and kinds written so far, as a bar. */
function Progress({ run }: { run: ImportRunView }) {
  const { t } = useTranslation();
  const rows = Object.values(run.progress?.rows ?? {}).reduce((n, k) => n + k, 0);
  const writing = run.progress?.phase === 'writing';
  const value = writing ? run.progress!.written / Math.max(1, run.progress!.kinds) : 0;
  return (
    <div role="status" aria-live="polite" data-testid="import-progress">
      <p>
        {writing
          ? t('admin.imports.writing', { written: run.progress!.written, kinds: run.progress!.kinds })
          : t('admin.imports.reading', { rows })}
      </p>
      {writing ? <progress max={1} value={value} /> : <progress />}
    </div>
  );
}

export default function ImportRunPage() {
  const { t } = useTranslation();
  const run = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const busy = useNavigation().state !== 'idle';
  const revalidator = useRevalidator();
  const live = running(run.state);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => {
      if (revalidator.state === 'idle') revalidator.revalidate();
    }, 1000);
    return () => clearInterval(timer);
  }, [live, revalidator]);
  const report = run.report;
  const blocking = report?.problems.some((problem) => problem.blocking) ?? false;
  const error = outcome && 'error' in outcome ? outcome.error : null;
  return (
    <section>
      <p>
        <Link to="/admin/imports">← {t('admin.nav.imports')}</Link>
      </p>
      <h1>{run.fileName}</h1>
      <p>
        <span className={`badge ${run.state}`} data-testid="import-state" data-state={run.state}>
          {t(`admin.imports.states.${run.state}`)}
        </span>{' '}
        {run.sync ? <span className="badge">{t('admin.imports.syncBadge')}</span> : null}{' '}
        {run.termCode ? <span className="muted">{run.termCode}</span> : null}
      </p>
      {live ? <Progress run={run} /> : null}
      {run.state === 'failed' ? (
        <p className="form-error" role="alert">
          {t('admin.imports.failed')}
        </p>
      ) : null}
      {report && !live ? (
        <>
          {report.outcome === 'refused' ? (
            <p className="form-error" role="alert">
              {t('admin.imports.refused')}
            </p>
          ) : null}
          {report.outcome === 'applied' ? (
            <p className="notice" role="status" data-testid="import-applied">
              {t('admin.imports.applied', { seconds: report.seconds })}
              {report.invited ? (
                <span data-testid="import-invited"> {t('admin.imports.invited', { count: report.invited })}</span>
              ) : null}
            </p>
          ) : null}
          <ImportCounts report={report} />
          <ImportProblems problems={report.problems} total={report.problemCount} />
        </>
      ) : null}
      {run.state === 'previewed' && report ? (
        <Form method="post" className="panel" data-testid="import-apply">
          <FormError error={error} />
          {report.problemCount > 0 && !blocking ? (
            <label className="check">
              <input type="checkbox" name="validOnly" />{' '}
              {t('admin.imports.validOnly', { count: report.rowsWithProblems })}
            </label>
          ) : null}
          {run.canInvite && (report.kinds.people?.created ?? 0) > 0 ? (
            <label className="check">
              <input type="checkbox" name="invite" data-testid="import-invite" />{' '}
              {t('admin.imports.invite', { count: report.kinds.people!.created })}
            </label>
          ) : null}
          <button type="submit" disabled={busy || blocking}>
            {t('admin.imports.apply')}
          </button>
          {blocking ? <p className="muted">{t('admin.imports.blocking')}</p> : null}
        </Form>
      ) : null}
    </section>
  );
}
