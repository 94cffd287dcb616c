// One structure row's form: the import's columns of its kind as inputs, each with its problem.
import { Form } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { ReportProblem } from '../../../server/admin/import/import-report.ts';
import { structureFields, type StructureField, type StructureKind } from '../../../server/common/structure-fields.ts';

type Option = { value: string; label: string };
export type Pickers = { faculties: Option[]; departments: Option[] };

function FieldInput({
  field,
  value,
  readOnly,
  invalid,
  pickers,
}: {
  field: StructureField;
  value: string;
  readOnly: boolean;
  invalid: boolean;
  pickers: Pickers;
}) {
  const { t } = useTranslation();
  const common = {
    name: field.name,
    defaultValue: value,
    required: field.required,
    'aria-invalid': invalid || undefined,
  };
  const { input } = field;
  if (input.type === 'select' || input.type === 'picker') {
    const options: Option[] =
      input.type === 'picker'
        ? pickers[input.picker]
        : input.options.map((option) => ({
            value: option,
            label: t(`admin.values.${option}`, { defaultValue: option }),
          }));
    return (
      <select {...common}>
        {field.required ? null : <option value="">—</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      {...common}
      type={input.type}
      readOnly={readOnly}
      inputMode={input.type === 'number' ? 'numeric' : undefined}
      maxLength={300}
    />
  );
}

export function StructureForm(props: {
  kind: StructureKind;
  intent: 'create' | 'update';
  pickers: Pickers;
  values?: Record<string, string>;
  problems?: ReportProblem[];
  busy: boolean;
}) {
  const { t } = useTranslation();
  const { kind, intent, pickers, values = {}, problems = [], busy } = props;
  const problemOf = (name: string) => problems.find((problem) => problem.column === name);
  const general = problems.filter((problem) => !problem.column);
  return (
    <Form method="post" className="form-grid" data-testid={`structure-${intent}`}>
      {structureFields(kind).map((field) => {
        const problem = problemOf(field.name);
        return (
          <label key={field.name}>
            {t(`admin.fields.${field.name}`)}
            {field.required ? ' *' : ''}
            <FieldInput
              field={field}
              value={values[field.name] ?? (field.name === 'time_zone' ? 'Asia/Bishkek' : '')}
              readOnly={intent === 'update' && field.name === 'code'}
              invalid={Boolean(problem)}
              pickers={pickers}
            />
            {problem ? (
              <span className="form-error" role="alert">
                {t(`import.problems.${problem.key}`, problem.params ?? {})}
              </span>
            ) : null}
          </label>
        );
      })}
      {general.map((problem) => (
        <p key={problem.key} className="form-error" role="alert">
          {t(`import.problems.${problem.key}`, problem.params ?? {})}
        </p>
      ))}
      <button type="submit" name="intent" value={intent} disabled={busy}>
        {t(intent === 'create' ? 'admin.create' : 'admin.save')}
      </button>
    </Form>
  );
}
