// The admin's imports: upload the registrar's file (XLSX, CSV, or a zip of CSV files) for a
// preview, the template and the current university to download, and the last imports.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import {
  MaxPartSizeExceededError,
  redirect,
  unstable_composeUploadHandlers,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type UploadHandler,
} from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { defaultImportLimits } from '../../server/admin/import/import-sources.ts';
import { listImportRuns, startImport } from '../../server/admin/imports.ts';
import { requirePermission } from '../../server/auth/permissions.ts';
import { currentTerm, defaultTimeZone } from '../../server/cabinets/term.ts';
import { AppError } from '../../server/errors.ts';
import { ImportCounts } from '../components/admin/import-report.tsx';
import { formatTimestamp } from '../../server/common/format.ts';
import { titled } from '../components/page-title.ts';
import { FormError } from '../components/form-error.tsx';
import { formResult, orRespond, requireUser } from '../guards.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const { db } = context.services;
  return orRespond(async () => {
    const [runs, terms, current] = await Promise.all([
      listImportRuns(db, user),
      db
        .selectFrom('term')
        .select(['code', 'academic_year', 'semester'])
        .where('archived_at', 'is', null)
        .orderBy('starts_on', 'desc')
        .execute(),
      currentTerm(db),
    ]);
    return {
      runs,
      terms,
      maxMib: defaultImportLimits.maxFileBytes / 2 ** 20,
      timeZone: current?.timeZone ?? defaultTimeZone,
    };
  });
}

export const meta = titled('admin.nav.imports');

/**
 * The upload, streamed to a file of its own and cut off at the import's size limit. (Remix's file
 * handler returns an object Node's FormData turns into the text "[object File]": ours keeps the path.)
 */
async function readUpload(
  request: Request,
  directory: string,
): Promise<{ form: FormData; file: { path: string; name: string } | null }> {
  await fs.mkdir(directory, { recursive: true });
  const max = defaultImportLimits.maxFileBytes;
  const saved: { file: { path: string; name: string } | null } = { file: null };
  const toDisk: UploadHandler = async ({ name, filename, data }) => {
    if (name !== 'file' || !filename || saved.file) return undefined;
    const target = path.join(directory, randomUUID());
    saved.file = { path: target, name: filename };
    const out = createWriteStream(target);
    let size = 0;
    try {
      for await (const chunk of data) {
        size += chunk.byteLength;
        if (size > max) throw new MaxPartSizeExceededError(name, max);
        if (!out.write(chunk)) await once(out, 'drain');
      }
    } finally {
      out.end();
      await finished(out);
    }
    return filename;
  };
  try {
    const form = await unstable_parseMultipartFormData(
      request,
      unstable_composeUploadHandlers(toDisk, unstable_createMemoryUploadHandler({ maxPartSize: 1000 })),
    );
    return { form, file: saved.file };
  } catch (error) {
    if (saved.file) await fs.rm(saved.file.path, { force: true });
    if (error instanceof MaxPartSizeExceededError && error.field === 'file')
      throw new AppError('upload_too_large', 'import.problems.file_too_large', { maxMib: max / 2 ** 20 });
    throw new AppError('invalid_input');
  }
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const actor = { user, ip: context.clientIp };
  const outcome = await formResult(async () => {
    // Refused before a byte of the body is read when the caller is not the admin.
    requirePermission(user, 'admin.manage', {});
    const { form, file } = await readUpload(request, path.join(context.services.config.spoolDir, 'imports'));
    if (!file) throw new AppError('invalid_input', 'admin.imports.fileRequired');
    try {
      const term = String(form.get('term') ?? '');
      if (term.includes('\0')) throw new AppError('invalid_input');
      return await startImport(context.services, actor, {
        localPath: file.path,
        fileName: file.name,
        termCode: term || null,
        sync: form.get('sync') === 'on',
      });
    } finally {
      await fs.rm(file.path, { force: true });
    }
  }, [400, 413, 415]);
  if ('result' in outcome && outcome.result) throw redirect(`/admin/imports/${outcome.result}`);
  return outcome;
}

export default function Imports() {
  const { t } = useTranslation();
  const { runs, terms, maxMib, timeZone } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const busy = useNavigation().state !== 'idle';
  const error = outcome && 'error' in outcome ? outcome.error : null;
  return (
    <section>
      <h1>{t('admin.nav.imports')}</h1>
      <p>
        <a href="/admin/imports/template.xlsx" download data-testid="template-link">
          {t('admin.imports.template')}
        </a>{' '}
        · <a href="/admin/export.xlsx">{t('admin.imports.export')}</a>
      </p>
      <Form method="post" encType="multipart/form-data" className="panel form-grid" data-testid="import-upload">
        <label>
          {t('admin.imports.file', { maxMib })}
          <input type="file" name="file" accept=".xlsx,.csv,.zip" required />
        </label>
        <label>
          {t('admin.imports.term')}
          <select name="term" defaultValue="">
            <option value="">{t('admin.imports.anyTerm')}</option>
            {terms.map((term) => (
              <option key={term.code} value={term.code}>
                {term.code} · {t('term.label', { year: term.academic_year, semester: term.semester })}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" name="sync" /> {t('admin.imports.sync')}
        </label>
        <p className="muted">{t('admin.imports.syncHint')}</p>
        <FormError error={error} />
        <button type="submit" disabled={busy}>
          {t('admin.imports.preview')}
        </button>
      </Form>
      <h2>{t('admin.imports.recent')}</h2>
      <ul className="cards" data-testid="import-runs">
        {runs.map((run) => (
          <li key={run.id} className="card">
            <div>
              <Link to={`/admin/imports/${run.id}`}>{run.fileName}</Link>{' '}
              <span className={`badge ${run.state}`}>{t(`admin.imports.states.${run.state}`)}</span>
              <div className="muted">
                {formatTimestamp(run.createdAt, timeZone)} · {run.createdBy}
              </div>
            </div>
            {run.report ? <ImportCounts report={run.report} compact /> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
