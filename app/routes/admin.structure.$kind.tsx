// The admin's structure pages (/admin/structure/faculties | departments | subjects | groups | terms):
// a list to search, a form to add, an edit form per row (the code stays: it is the registrar's key),
// archive and restore.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { Form, NavLink, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import {
  isStructureKind,
  listStructure,
  saveStructure,
  setArchived,
  structurePageSize,
  structurePickers,
} from '../../server/admin/structure.ts';
import { structureKinds, type StructureKind } from '../../server/common/structure-fields.ts';
import { AppError } from '../../server/errors.ts';
import { StructureForm } from '../components/admin/structure-form.tsx';
import { StructureTable } from '../components/admin/structure-table.tsx';
import { titled } from '../components/page-title.ts';
import { formResult, orRespond, readForm, requireUser } from '../guards.server.ts';

function kindOf(params: { kind?: string }): StructureKind {
  if (!params.kind || !isStructureKind(params.kind)) throw new AppError('not_found');
  return params.kind;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const query = new URL(request.url).searchParams.get('q') ?? '';
  return orRespond(async () => {
    const kind = kindOf(params);
    const [list, pickers] = await Promise.all([
      listStructure(context.services.db, user, kind, query),
      structurePickers(context.services.db, user.locale),
    ]);
    return { kind, ...list, pickers, pageSize: structurePageSize };
  });
}

export const meta = titled('admin.nav.structure');

const intentSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.enum(['create', 'update']) }).catchall(z.string().max(400)),
  z.object({ intent: z.enum(['archive', 'restore']), id: z.string().max(64) }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const actor = { user, ip: context.clientIp };
  return formResult(async () => {
    const kind = kindOf(params);
    const input = await readForm(request, intentSchema);
    if (input.intent === 'archive' || input.intent === 'restore') {
      await setArchived(context.services.db, actor, kind, input.id, input.intent === 'archive');
      return { saved: input.intent, problems: [] };
    }
    const { intent, ...values } = input;
    const problems = await saveStructure(context.services.db, actor, kind, values as Record<string, string>, intent);
    return { saved: problems.length === 0 ? intent : null, problems, values };
  });
}

export default function StructurePage() {
  const { t } = useTranslation();
  const { kind, rows, total, pickers, pageSize } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>()?.result;
  const [params] = useSearchParams();
  // A saved edit closes its form; a saved "add" empties it (a new key).
  const editing = result?.saved === 'update' ? null : params.get('edit');
  const createKey = result?.saved === 'create' ? `created-${rows.length}-${total}` : 'create';
  const busy = useNavigation().state !== 'idle';
  return (
    <section>
      <nav className="tabs" aria-label={t('admin.nav.structure')}>
        {structureKinds.map((each) => (
          <NavLink key={each} to={`/admin/structure/${each}`}>
            {t(`admin.kinds.${each}`)}
          </NavLink>
        ))}
      </nav>
      <h1>{t(`admin.kinds.${kind}`)}</h1>
      <details className="panel" open={Boolean(result?.problems.length && !editing)}>
        <summary>{t('admin.structure.add')}</summary>
        <StructureForm
          key={createKey}
          kind={kind}
          intent="create"
          pickers={pickers}
          values={!editing && !result?.saved ? result?.values : undefined}
          problems={!editing ? result?.problems : undefined}
          busy={busy}
        />
      </details>
      <Form method="get" className="inline-form" role="search">
        <input
          type="search"
          name="q"
          defaultValue={params.get('q') ?? ''}
          aria-label={t('admin.search')}
          placeholder={t('admin.search')}
        />
        <button type="submit">{t('admin.find')}</button>
      </Form>
      <p className="muted">
        {total > rows.length
          ? t('admin.shownOf', { shown: rows.length, total, limit: pageSize })
          : t('admin.found', { count: total })}
      </p>
      {result?.saved ? (
        <p className="notice" role="status">
          {t(`admin.structure.saved.${result.saved}`)}
        </p>
      ) : null}
      <StructureTable kind={kind} rows={rows} pickers={pickers} editing={editing} result={result} busy={busy} />
    </section>
  );
}
