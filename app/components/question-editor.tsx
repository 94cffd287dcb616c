// Writing (or editing) a bank question of any kind the tests support, with Moodle's weights and
// feedback, beside a preview that is the student's own question component, answerable. What is
// sent is the whole question as JSON; the server checks it all again (server/quizzes/question-editor.ts).
import { Form } from '@remix-run/react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { QuestionData, QuestionKind } from '../../db/schema.ts';
import type { Answer, QuestionForStudent } from '../../server/quizzes/grading.ts';
import { QuestionBody } from './quiz-question.tsx';

type Weighted = { text: string; weight: number; feedback: string };
type NumericRow = { value: string; tolerance: string; weight: number; feedback: string };
type Draft = {
  kind: QuestionKind;
  title: string;
  stem: string;
  generalFeedback: string;
  choices: Weighted[];
  answer: boolean;
  feedbackTrue: string;
  feedbackFalse: string;
  answers: Weighted[];
  numbers: NumericRow[];
  pairs: { left: string; right: string }[];
  distractors: string[];
};

export const questionKinds: QuestionKind[] = ['single', 'multiple', 'true_false', 'short', 'numeric', 'matching'];

const blank = (): Draft => ({
  kind: 'single',
  title: '',
  stem: '',
  generalFeedback: '',
  choices: [
    { text: '', weight: 100, feedback: '' },
    { text: '', weight: 0, feedback: '' },
  ],
  answer: true,
  feedbackTrue: '',
  feedbackFalse: '',
  answers: [{ text: '', weight: 100, feedback: '' }],
  numbers: [{ value: '', tolerance: '0', weight: 100, feedback: '' }],
  pairs: [
    { left: '', right: '' },
    { left: '', right: '' },
  ],
  distractors: [],
});

/** The editor's draft of a stored question. */
function draftOf(question: { title: string; stem: string; data: QuestionData }): Draft {
  const { data } = question;
  const draft: Draft = {
    ...blank(),
    kind: data.kind,
    title: question.title,
    stem: question.stem,
    generalFeedback: data.generalFeedback ?? '',
  };
  if (data.kind === 'single' || data.kind === 'multiple')
    draft.choices = data.choices.map((c) => ({
      text: c.text,
      weight: c.weight ?? (c.correct ? 100 : 0),
      feedback: c.feedback ?? '',
    }));
  if (data.kind === 'true_false')
    Object.assign(draft, {
      answer: data.answer,
      feedbackTrue: data.feedbackTrue ?? '',
      feedbackFalse: data.feedbackFalse ?? '',
    });
  if (data.kind === 'short') draft.answers = data.answers.map((a) => ({ ...a, feedback: a.feedback ?? '' }));
  if (data.kind === 'numeric')
    draft.numbers = data.answers.map((a) => ({
      value: a.value === null ? '*' : String(a.value),
      tolerance: String(a.tolerance),
      weight: a.weight,
      feedback: a.feedback ?? '',
    }));
  if (data.kind === 'matching') Object.assign(draft, { pairs: data.pairs, distractors: data.distractors ?? [] });
  return draft;
}

const toNumber = (text: string) => Number(text.trim().replace(',', '.'));

/** What the server is sent: only the chosen kind's parts. */
function payloadOf(draft: Draft) {
  const data = {
    single: { kind: 'single', choices: draft.choices },
    multiple: { kind: 'multiple', choices: draft.choices },
    true_false: {
      kind: 'true_false',
      answer: draft.answer,
      feedbackTrue: draft.feedbackTrue,
      feedbackFalse: draft.feedbackFalse,
    },
    short: { kind: 'short', answers: draft.answers },
    numeric: {
      kind: 'numeric',
      answers: draft.numbers.map((row) => ({
        value: row.value.trim() === '*' ? null : toNumber(row.value),
        tolerance: toNumber(row.tolerance || '0'),
        weight: row.weight,
        feedback: row.feedback,
      })),
    },
    matching: { kind: 'matching', pairs: draft.pairs, distractors: draft.distractors.filter(Boolean) },
  }[draft.kind];
  return { title: draft.title, stem: draft.stem, generalFeedback: draft.generalFeedback, data };
}

/** The question as the student will see it. */
function previewOf(draft: Draft): QuestionForStudent {
  return {
    kind: draft.kind,
    stem: draft.stem,
    hasImage: false,
    choices: draft.choices.map((choice) => choice.text),
    lefts: draft.pairs.map((pair) => pair.left),
    rights: [...draft.pairs.map((pair) => pair.right), ...draft.distractors],
  };
}

/** A list of rows with "add" and "remove" (within 1–20). */
function Rows<T>({
  rows,
  min,
  make,
  onChange,
  children,
}: {
  rows: T[];
  min: number;
  make: () => T;
  onChange: (rows: T[]) => void;
  children: (row: T, set: (row: T) => void, index: number) => ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <div className="editor-rows">
      {rows.map((row, i) => (
        <fieldset key={i} className="editor-row">
          {children(row, (next) => onChange(rows.map((r, j) => (j === i ? next : r))), i)}
          {rows.length > min ? (
            <button type="button" className="secondary" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
              {t('quiz.editor.removeRow')}
            </button>
          ) : null}
        </fieldset>
      ))}
      {rows.length < 20 ? (
        <button type="button" className="secondary" onClick={() => onChange([...rows, make()])}>
          {t('quiz.editor.addRow')}
        </button>
      ) : null}
    </div>
  );
}

function WeightAndFeedback({
  row,
  set,
}: {
  row: { weight: number; feedback: string };
  set: (weight: number, feedback: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <label>
        {t('quiz.editor.weight')}{' '}
        <input
          type="number"
          min={-100}
          max={100}
          step="any"
          value={row.weight}
          onChange={(event) => set(Number(event.target.value), row.feedback)}
          className="short-input"
        />
      </label>
      <label>
        {t('quiz.editor.feedback')}{' '}
        <input value={row.feedback} maxLength={2000} onChange={(event) => set(row.weight, event.target.value)} />
      </label>
    </>
  );
}

type PartsProps = { draft: Draft; set: (patch: Partial<Draft>) => void };

/** Choices (single, multiple) or short answers: a text, its weight and feedback each. */
function WeightedParts({ draft, set }: PartsProps) {
  const { t } = useTranslation();
  const [key, label, min] =
    draft.kind === 'short'
      ? (['answers', 'quiz.editor.answer', 1] as const)
      : (['choices', 'quiz.editor.choice', 2] as const);
  return (
    <Rows
      rows={draft[key]}
      min={min}
      make={() => ({ text: '', weight: 0, feedback: '' })}
      onChange={(next) => set({ [key]: next })}
    >
      {(row, change, i) => (
        <>
          <label>
            {t(label, { n: i + 1 })}{' '}
            <input value={row.text} maxLength={1000} onChange={(e) => change({ ...row, text: e.target.value })} />
          </label>
          <WeightAndFeedback row={row} set={(weight, feedback) => change({ ...row, weight, feedback })} />
        </>
      )}
    </Rows>
  );
}

function TrueFalseParts({ draft, set }: PartsProps) {
  const { t } = useTranslation();
  return (
    <div className="editor-rows">
      <label>
        {t('quiz.editor.rightAnswer')}{' '}
        <select value={draft.answer ? 'true' : 'false'} onChange={(e) => set({ answer: e.target.value === 'true' })}>
          <option value="true">{t('quiz.true')}</option>
          <option value="false">{t('quiz.false')}</option>
        </select>
      </label>
      <label>
        {t('quiz.editor.feedbackTrue')}{' '}
        <input value={draft.feedbackTrue} maxLength={2000} onChange={(e) => set({ feedbackTrue: e.target.value })} />
      </label>
      <label>
        {t('quiz.editor.feedbackFalse')}{' '}
        <input value={draft.feedbackFalse} maxLength={2000} onChange={(e) => set({ feedbackFalse: e.target.value })} />
      </label>
    </div>
  );
}

/** Numbers with a margin, a weight and feedback each (`*` alone: any number). */
function NumericParts({ draft, set }: PartsProps) {
  const { t } = useTranslation();
  return (
    <Rows
      rows={draft.numbers}
      min={1}
      make={() => ({ value: '', tolerance: '0', weight: 0, feedback: '' })}
      onChange={(numbers) => set({ numbers })}
    >
      {(row, change, i) => (
        <>
          <label>
            {t('quiz.editor.answer', { n: i + 1 })}{' '}
            <input
              value={row.value}
              inputMode="decimal"
              maxLength={50}
              className="short-input"
              onChange={(e) => change({ ...row, value: e.target.value })}
            />
          </label>
          <label>
            {t('quiz.editor.tolerance')}{' '}
            <input
              value={row.tolerance}
              inputMode="decimal"
              maxLength={50}
              className="short-input"
              onChange={(e) => change({ ...row, tolerance: e.target.value })}
            />
          </label>
          <WeightAndFeedback row={row} set={(weight, feedback) => change({ ...row, weight, feedback })} />
        </>
      )}
    </Rows>
  );
}

/** Pairs to match, and extra wrong right-hand texts. */
function MatchingParts({ draft, set }: PartsProps) {
  const { t } = useTranslation();
  return (
    <>
      <Rows rows={draft.pairs} min={2} make={() => ({ left: '', right: '' })} onChange={(pairs) => set({ pairs })}>
        {(row, change, i) => (
          <>
            <label>
              {t('quiz.editor.left', { n: i + 1 })}{' '}
              <input value={row.left} maxLength={1000} onChange={(e) => change({ ...row, left: e.target.value })} />
            </label>
            <label>
              {t('quiz.editor.right')}{' '}
              <input value={row.right} maxLength={1000} onChange={(e) => change({ ...row, right: e.target.value })} />
            </label>
          </>
        )}
      </Rows>
      <label>
        {t('quiz.editor.distractors')}{' '}
        <input
          value={draft.distractors.join('; ')}
          maxLength={2000}
          onChange={(e) => set({ distractors: e.target.value.split(';').map((text) => text.trim()) })}
        />
      </label>
    </>
  );
}

const partsOf: Record<QuestionKind, (props: PartsProps) => ReactNode> = {
  single: WeightedParts,
  multiple: WeightedParts,
  short: WeightedParts,
  true_false: TrueFalseParts,
  numeric: NumericParts,
  matching: MatchingParts,
};

export function QuestionEditor({
  question,
  busy,
}: {
  /** The question edited, or none for a new one. */
  question?: { id: string; title: string; stem: string; data: QuestionData };
  busy: boolean;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Draft>(() => (question ? draftOf(question) : blank()));
  const [answer, setAnswer] = useState<Answer | null>(null);
  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const Parts = partsOf[draft.kind];
  return (
    <div className="question-editor" data-testid="question-editor">
      <Form method="post" className="question-form" onSubmit={() => setAnswer(null)}>
        <input type="hidden" name="intent" value={question ? 'edit-question' : 'write-question'} />
        {question ? <input type="hidden" name="questionId" value={question.id} /> : null}
        <input type="hidden" name="question" value={JSON.stringify(payloadOf(draft))} />
        <label>
          {t('quiz.editor.kind')}{' '}
          <select value={draft.kind} onChange={(e) => set({ kind: e.target.value as QuestionKind })} name="kind">
            {questionKinds.map((kind) => (
              <option key={kind} value={kind}>
                {t(`quiz.kind.${kind}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('quiz.editor.title')}{' '}
          <input value={draft.title} maxLength={200} onChange={(e) => set({ title: e.target.value })} />
        </label>
        <label>
          {t('quiz.editor.stem')}{' '}
          <textarea
            value={draft.stem}
            maxLength={5000}
            required
            rows={3}
            onChange={(e) => set({ stem: e.target.value })}
          />
        </label>
        <p className="muted small">{t('quiz.editor.hint')}</p>
        <Parts draft={draft} set={set} />
        <label>
          {t('quiz.editor.generalFeedback')}{' '}
          <textarea
            value={draft.generalFeedback}
            maxLength={2000}
            rows={2}
            onChange={(e) => set({ generalFeedback: e.target.value })}
          />
        </label>
        <button type="submit" disabled={busy} data-testid="save-question">
          {t('quiz.editor.save')}
        </button>
      </Form>
      <section className="question-preview" aria-label={t('quiz.editor.preview')} data-testid="question-preview">
        <h3>{t('quiz.editor.preview')}</h3>
        <QuestionBody question={previewOf(draft)} imageUrl={null} answer={answer} onAnswer={setAnswer} />
      </section>
    </div>
  );
}
