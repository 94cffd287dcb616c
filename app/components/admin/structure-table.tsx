// The admin's list of one structure kind (faculties, departments, …): a row each with the columns
// shown, and its actions: edit (its form in place of the actions), archive or restore.
import { Form, Link } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { ReportProblem } from '../../../server/admin/import/import-report.ts';
import type { StructureRow } from '../../../server/admin/structure.ts';
import { structureFields, type StructureField, type StructureKind } from '../../../server/common/structure-fields.ts';
import { StructureForm, type Pickers } from './structure-form.tsx';

/** What the last save answered: the values sent, and their problems. */
export type SaveResult = { values?: Record<string, string>; problems: ReportProblem[] };

/** One row: its columns shown (a choice translated), then its edit form or its actions. */
function Row({
  kind,
  row,
  shown,
  pickers,
  editing,
  result,
  busy,
}: {
  kind: StructureKind;
  row: StructureRow;
  shown: StructureField[];
  pickers: Pickers;
  editing: boolean;
  result: SaveResult | null | undefined;
  busy: boolean;
}) {
  const { t } = useTranslation();
  return (
    <tr className={row.archived ? 'archived' : undefined}>
      {shown.map((field) => (
        <td
          key={field.name}
          data-label={t(`admin.fields.${field.name}`)}
          className={field.name === 'code' ? 'code' : undefined}
        >
          {field.input.type === 'select' && row.values[field.name]
            ? t(`admin.values.${row.values[field.name]}`, { defaultValue: row.values[field.name] })
            : row.values[field.name]}
          {field.name === 'code' && row.archived ? <span className="badge">{t('admin.archived')}</span> : null}
        </td>
      ))}
      <td data-label={t('admin.actions')}>
        {editing ? (
          <StructureForm
            kind={kind}
            intent="update"
            pickers={pickers}
            values={result?.values ?? row.values}
            problems={result?.problems}
            busy={busy}
          />
        ) : (
          <div className="actions">
            {!row.archived ? <Link to={`?edit=${row.id}`}>{t('admin.edit')}</Link> : null}
            <Form method="post">
              <input type="hidden" name="id" value={row.id} />
              <button
                type="submit"
                name="intent"
                value={row.archived ? 'restore' : 'archive'}
                className="secondary"
                disabled={busy}
              >
                {t(row.archived ? 'admin.restore' : 'admin.archive')}
              </button>
            </Form>
          </div>
        )}
      </td>
    </tr>
  );
}

export function StructureTable({
  kind,
  rows,
  pickers,
  editing,
  result,
  busy,
}: {
  kind: StructureKind;
  rows: StructureRow[];
  pickers: Pickers;
  /** The id of the row being edited, if any. */
  editing: string | null;
  result: SaveResult | null | undefined;
  busy: boolean;
}) {
  const { t } = useTranslation();
  const fields = structureFields(kind);
  const shown = fields.filter((field) => !field.name.startsWith('name_') || field.name === 'name_ky').slice(0, 5);
  return (
    <table className="stack-table" data-testid="structure-list">
      <thead>
        <tr>
          {shown.map((field) => (
            <th key={field.name}>{t(`admin.fields.${field.name}`)}</th>
          ))}
          <th>{t('admin.actions')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <Row
            key={row.id}
            kind={kind}
            row={row}
            shown={shown}
            pickers={pickers}
            editing={editing === row.id}
            result={result}
            busy={busy}
          />
        ))}
      </tbody>
    </table>
  );
}
