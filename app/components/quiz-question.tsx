// One test question as a student answers it, or (with `correct`) as they review it afterwards.
import { useId } from 'react';
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
};

const has = <K extends string>(answer: Answer | null | undefined, key: K): answer is Extract<Answer, Record<K, unknown>> => answer !== null && answer !== undefined && key in answer;

export function QuestionBody({ question, imageUrl, answer, onAnswer, correct, credit }: Props) {
  const { t } = useTranslation();
  const readOnly = !onAnswer;
  const name = useId();
  const choiceClass = (i: number) => (correct && ((has(correct, 'choice') && correct.choice === i) || (has(correct, 'choices') && correct.choices.includes(i))) ? 'correct' : '');
  let body: React.ReactNode = null;
  switch (question.kind) {
    case 'single':
    case 'true_false': {
      const options = question.kind === 'single' ? (question.choices ?? []) : [t('quiz.true'), t('quiz.false')];
      const selected = question.kind === 'single' ? (has(answer, 'choice') ? answer.choice : -1) : has(answer, 'value') ? (answer.value ? 0 : 1) : -1;
      const rightIndex = correct ? (question.kind === 'single' ? (has(correct, 'choice') ? correct.choice : -1) : has(correct, 'value') ? (correct.value ? 0 : 1) : -1) : -1;
      body = (
        <fieldset className="choices">
          {options.map((text, i) => (
            <label key={i} className={`choice ${rightIndex === i ? 'correct' : ''}`}>
              <input
                type="radio"
                name={name}
                checked={selected === i}
                disabled={readOnly}
                onChange={() => onAnswer?.(question.kind === 'single' ? { choice: i } : { value: i === 0 })}
              />{' '}
              {text}
            </label>
          ))}
        </fieldset>
      );
      break;
    }
    case 'multiple': {
      const selected = has(answer, 'choices') ? answer.choices : [];
      body = (
        <fieldset className="choices">
          <legend className="muted">{t('quiz.pickAll')}</legend>
          {(question.choices ?? []).map((text, i) => (
            <label key={i} className={`choice ${choiceClass(i)}`}>
              <input
                type="checkbox"
                checked={selected.includes(i)}
                disabled={readOnly}
                onChange={(event) => onAnswer?.({ choices: event.target.checked ? [...selected, i].sort((a, b) => a - b) : selected.filter((c) => c !== i) })}
              />{' '}
              {text}
            </label>
          ))}
        </fieldset>
      );
      break;
    }
    case 'short':
      body = (
        <label>
          {t('quiz.yourAnswer')}{' '}
          <input value={has(answer, 'text') ? answer.text : ''} readOnly={readOnly} maxLength={500} onChange={(event) => onAnswer?.({ text: event.target.value }, true)} />
          {correct && has(correct, 'text') ? <span className="correct"> {t('quiz.correctAnswer', { answer: correct.text })}</span> : null}
        </label>
      );
      break;
    case 'numeric':
      body = (
        <label>
          {t('quiz.yourAnswer')}{' '}
          <input inputMode="decimal" value={has(answer, 'number') ? answer.number : ''} readOnly={readOnly} maxLength={50} onChange={(event) => onAnswer?.({ number: event.target.value }, true)} />
          {correct && has(correct, 'number') ? <span className="correct"> {t('quiz.correctAnswer', { answer: correct.number })}</span> : null}
        </label>
      );
      break;
    case 'matching': {
      const lefts = question.lefts ?? [];
      const rights = question.rights ?? [];
      const matches = has(answer, 'matches') ? answer.matches : lefts.map(() => -1);
      body = (
        <table className="matching">
          <tbody>
            {lefts.map((left, i) => (
              <tr key={i}>
                <td>{left}</td>
                <td>
                  <select
                    value={matches[i] ?? -1}
                    disabled={readOnly}
                    aria-label={left}
                    onChange={(event) => onAnswer?.({ matches: lefts.map((_, j) => (j === i ? Number(event.target.value) : (matches[j] ?? -1))) })}
                  >
                    <option value={-1}>—</option>
                    {rights.map((right, r) => (
                      <option key={r} value={r}>
                        {right}
                      </option>
                    ))}
                  </select>
                  {correct && has(correct, 'matches') ? <span className="correct"> {rights[correct.matches[i] ?? -1] ?? ''}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      );
      break;
    }
  }
  return (
    <div className="question">
      <p className="stem">{question.stem}</p>
      {question.hasImage && imageUrl ? <img src={imageUrl} alt="" className="question-image" loading="lazy" /> : null}
      {body}
      {credit !== undefined ? (
        <p className={credit === 1 ? 'badge delivered' : credit === 0 ? 'badge overdue' : 'badge'} data-testid="credit">
          {t('quiz.credit', { percent: Math.round(credit * 100) })}
        </p>
      ) : null}
    </div>
  );
}
