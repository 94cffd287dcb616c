// One test question as a student answers it, or (with `correct`) as they review it afterwards.
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Answer, QuestionForStudent } from '../../server/quizzes/grading.ts';

type Props = {
  question: QuestionForStudent;
  /** The picture's address when the question has one. */
  imageUrl: string | null;
  answer: Answer | null;
  /** `typed`: text still being typed (saved a moment after typing stops). */
  onAnswer?: (answer: Answer, typed?: boolean) => void;
  /** Review: the correct answer and the credit earned. */
  correct?: Answer;
  credit?: number;
  /** Review: the feedback of the answer given, and the question's general feedback. */
  feedback?: string[];
};

const has = <K extends string>(
  answer: Answer | null | undefined,
  key: K,
): answer is Extract<Answer, Record<K, unknown>> => answer !== null && answer !== undefined && key in answer;

type Part = {
  question: QuestionForStudent;
  answer: Answer | null;
  onAnswer?: Props['onAnswer'];
  correct?: Answer;
  name: string;
};

/** One choice of several (or true/false), as radio buttons. */
function OneChoice({ question, answer, onAnswer, correct, name }: Part) {
  const { t } = useTranslation();
  const single = question.kind === 'single';
  const options = single ? (question.choices ?? []) : [t('quiz.true'), t('quiz.false')];
  const indexOf = (given: Answer | null | undefined) =>
    single ? (has(given, 'choice') ? given.choice : -1) : has(given, 'value') ? (given.value ? 0 : 1) : -1;
  const selected = indexOf(answer);
  const rightIndex = correct ? indexOf(correct) : -1;
  return (
    <fieldset className="choices">
      {options.map((text, i) => (
        <label key={i} className={`choice ${rightIndex === i ? 'correct' : ''}`}>
          <input
            type="radio"
            name={name}
            checked={selected === i}
            disabled={!onAnswer}
            onChange={() => onAnswer?.(single ? { choice: i } : { value: i === 0 })}
          />{' '}
          {text}
        </label>
      ))}
    </fieldset>
  );
}

/** Every right choice of several, as checkboxes. */
function ManyChoices({ question, answer, onAnswer, correct }: Part) {
  const { t } = useTranslation();
  const selected = has(answer, 'choices') ? answer.choices : [];
  const right = (i: number) =>
    correct &&
    ((has(correct, 'choice') && correct.choice === i) || (has(correct, 'choices') && correct.choices.includes(i)));
  return (
    <fieldset className="choices">
      <legend className="muted">{t('quiz.pickAll')}</legend>
      {(question.choices ?? []).map((text, i) => (
        <label key={i} className={`choice ${right(i) ? 'correct' : ''}`}>
          <input
            type="checkbox"
            checked={selected.includes(i)}
            disabled={!onAnswer}
            onChange={(event) =>
              onAnswer?.({
                choices: event.target.checked
                  ? [...selected, i].sort((a, b) => a - b)
                  : selected.filter((c) => c !== i),
              })
            }
          />{' '}
          {text}
        </label>
      ))}
    </fieldset>
  );
}

/** A typed answer: words (short answer) or a number. */
function TypedAnswer({ question, answer, onAnswer, correct }: Part) {
  const { t } = useTranslation();
  const numeric = question.kind === 'numeric';
  const value = numeric ? (has(answer, 'number') ? answer.number : '') : has(answer, 'text') ? answer.text : '';
  const right = numeric ? (has(correct, 'number') ? correct.number : null) : has(correct, 'text') ? correct.text : null;
  return (
    <label>
      {t('quiz.yourAnswer')}{' '}
      <input
        inputMode={numeric ? 'decimal' : undefined}
        value={value}
        readOnly={!onAnswer}
        maxLength={numeric ? 50 : 500}
        onChange={(event) => onAnswer?.(numeric ? { number: event.target.value } : { text: event.target.value }, true)}
      />
      {right !== null ? <span className="correct"> {t('quiz.correctAnswer', { answer: right })}</span> : null}
    </label>
  );
}

/** Each left item matched to one on the right. */
function Matching({ question, answer, onAnswer, correct }: Part) {
  const lefts = question.lefts ?? [];
  const rights = question.rights ?? [];
  const matches = has(answer, 'matches') ? answer.matches : lefts.map(() => -1);
  return (
    <table className="matching">
      <tbody>
        {lefts.map((left, i) => (
          <tr key={i}>
            <td>{left}</td>
            <td>
              <select
                value={matches[i] ?? -1}
                disabled={!onAnswer}
                aria-label={left}
                onChange={(event) =>
                  onAnswer?.({
                    matches: lefts.map((_, j) => (j === i ? Number(event.target.value) : (matches[j] ?? -1))),
                  })
                }
              >
                <option value={-1}>—</option>
                {rights.map((right, r) => (
                  <option key={r} value={r}>
                    {right}
                  </option>
                ))}
              </select>
              {correct && has(correct, 'matches') ? (
                <span className="correct"> {rights[correct.matches[i] ?? -1] ?? ''}</span>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const partOf: Record<QuestionForStudent['kind'], (part: Part) => ReactNode> = {
  single: OneChoice,
  true_false: OneChoice,
  multiple: ManyChoices,
  short: TypedAnswer,
  numeric: TypedAnswer,
  matching: Matching,
};

export function QuestionBody({ question, imageUrl, answer, onAnswer, correct, credit, feedback = [] }: Props) {
  const { t } = useTranslation();
  const name = useId();
  const Body = partOf[question.kind];
  return (
    <div className="question">
      <p className="stem">{question.stem}</p>
      {question.hasImage && imageUrl ? <img src={imageUrl} alt="" className="question-image" loading="lazy" /> : null}
      <Body question={question} answer={answer} onAnswer={onAnswer} correct={correct} name={name} />
      {credit !== undefined ? (
        <p className={credit === 1 ? 'badge delivered' : credit === 0 ? 'badge overdue' : 'badge'} data-testid="credit">
          {t('quiz.credit', { percent: Math.round(credit * 100) })}
        </p>
      ) : null}
      {feedback.map((text) => (
        <p key={text} className="feedback" data-testid="feedback">
          {text}
        </p>
      ))}
    </div>
  );
}
