// A test attempt in progress: every answer is saved as it is given (a choice at once, typed text a
// moment after typing stops). An answer that could not be sent waits in the browser's storage and is
// sent again every few seconds, when the connection returns, and after a reload, so a dropped
// connection loses nothing. The countdown follows the server's clock; at zero the page reloads its
// data and the server has closed the attempt.
import { Form, useRevalidator, useSubmit } from '@remix-run/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Answer } from '../../server/quizzes/grading.ts';
import type { AttemptInProgress } from '../../server/quizzes/quiz-page.ts';
import { formatClock } from '../../server/common/format.ts';
import { QuestionBody } from './quiz-question.tsx';

type SaveState = 'saved' | 'pending' | 'closed';
const storageKey = (attemptId: string) => `kabinet-quiz-${attemptId}`;

function readPending(attemptId: string): Record<number, Answer> {
  try {
    return JSON.parse(localStorage.getItem(storageKey(attemptId)) ?? '{}') as Record<number, Answer>;
  } catch {
    return {};
  }
}

function usePendingAnswers(attemptId: string) {
  const revalidator = useRevalidator();
  const pending = useRef<Record<number, Answer>>({});
  const [state, setState] = useState<SaveState>('saved');
  const sending = useRef(false);

  /** Sends what waits; true when nothing is left waiting. */
  const flush = useCallback(async (): Promise<boolean> => {
    if (sending.current) return false;
    sending.current = true;
    try {
      for (const [position, answer] of Object.entries(pending.current)) {
        const response = await fetch(`/quiz-attempts/${attemptId}/answers`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ position: Number(position), answer }),
        }).catch(() => null);
        if (!response) return false; // offline: try again later
        if (response.status === 409) {
          setState('closed');
          localStorage.removeItem(storageKey(attemptId));
          revalidator.revalidate();
          return false;
        }
        // Saved, or refused as malformed (sending it again would not help).
        if (pending.current[Number(position)] === answer) delete pending.current[Number(position)];
        localStorage.setItem(storageKey(attemptId), JSON.stringify(pending.current));
      }
      const done = Object.keys(pending.current).length === 0;
      if (done) setState('saved');
      return done;
    } finally {
      sending.current = false;
    }
  }, [attemptId, revalidator]);

  useEffect(() => {
    // Answers a previous page (closed or reloaded mid-save) could not send.
    pending.current = { ...readPending(attemptId), ...pending.current };
    if (Object.keys(pending.current).length) {
      setState('pending');
      void flush();
    }
    const timer = setInterval(() => {
      if (Object.keys(pending.current).length) void flush();
    }, 3000);
    const online = () => void flush();
    window.addEventListener('online', online);
    return () => {
      clearInterval(timer);
      window.removeEventListener('online', online);
    };
  }, [attemptId, flush]);

  const remember = useCallback(
    (position: number, answer: Answer) => {
      pending.current[position] = answer;
      localStorage.setItem(storageKey(attemptId), JSON.stringify(pending.current));
      setState('pending');
    },
    [attemptId],
  );
  const save = useCallback(
    (position: number, answer: Answer) => {
      remember(position, answer);
      void flush();
    },
    [remember, flush],
  );
  return { save, remember, state, flush };
}

/** Seconds left by the server's clock (`serverNow` is when the page was made). */
function useSecondsLeft(deadlineAt: string, serverNow: string): number {
  const [skew] = useState(() => Date.parse(serverNow) - Date.now());
  const [now, setNow] = useState(() => Date.parse(serverNow));
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() + skew), 1000);
    return () => clearInterval(timer);
  }, [skew]);
  return Math.max(0, Math.floor((Date.parse(deadlineAt) - now) / 1000));
}

/** The server closes the attempt at the deadline: the page shows its result a little after. */
function useResultAfterDeadline(secondsLeft: number) {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (secondsLeft !== 0) return;
    const timer = setTimeout(() => revalidator.revalidate(), 11_000);
    return () => clearTimeout(timer);
  }, [secondsLeft, revalidator]);
}

/**
 * The attempt's answers as the student gives them: a choice is saved at once, typed text a moment
 * after typing stops. `settleTyping` hands what is still being typed to the pending answers.
 */
function useAnswers(
  attempt: AttemptInProgress,
  save: (position: number, value: Answer) => void,
  remember: (position: number, value: Answer) => void,
) {
  const [answers, setAnswers] = useState<(Answer | null)[]>(() => {
    const saved = [...attempt.answers];
    if (typeof localStorage !== 'undefined')
      for (const [position, answer] of Object.entries(readPending(attempt.id))) saved[Number(position)] = answer;
    return saved;
  });
  const typing = useRef<Record<number, { timer: ReturnType<typeof setTimeout>; value: Answer }>>({});
  const answer = (position: number, value: Answer, typed = false) => {
    setAnswers((current) => current.map((a, i) => (i === position ? value : a)));
    clearTimeout(typing.current[position]?.timer);
    delete typing.current[position];
    if (!typed) return save(position, value);
    typing.current[position] = {
      value,
      timer: setTimeout(() => {
        delete typing.current[position];
        save(position, value);
      }, 600),
    };
  };
  const settleTyping = () => {
    for (const [position, { timer, value }] of Object.entries(typing.current)) {
      clearTimeout(timer);
      remember(Number(position), value);
    }
    typing.current = {};
  };
  return { answers, answer, settleTyping };
}

export function QuizAttempt({ attempt, serverNow }: { attempt: AttemptInProgress; serverNow: string }) {
  const { t } = useTranslation();
  const { save, remember, state, flush } = usePendingAnswers(attempt.id);
  const submit = useSubmit();
  const [finishing, setFinishing] = useState(false);
  const { answers, answer, settleTyping } = useAnswers(attempt, save, remember);
  const secondsLeft = useSecondsLeft(attempt.deadlineAt, serverNow);
  useResultAfterDeadline(secondsLeft);

  /** Finishing waits until every answer is on the server; offline, it says so and waits. */
  const finish = async (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    setFinishing(true);
    settleTyping();
    let saved = await flush();
    for (let tries = 0; !saved && tries < 3; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      saved = await flush();
    }
    setFinishing(false);
    if (saved) submit(form);
  };

  return (
    <section className="quiz-attempt" data-testid="quiz-attempt" data-attempt-id={attempt.id}>
      <p className="quiz-status" role="status">
        <span data-testid="time-left" className={secondsLeft < 60 ? 'badge overdue' : 'badge'}>
          {t('quiz.timeLeft', { clock: formatClock(secondsLeft) })}
        </span>{' '}
        <span data-testid="save-state" data-state={state} className="muted">
          {t(`quiz.save.${state}`)}
        </span>
      </p>
      <ol className="questions">
        {attempt.questions.map((question, position) => (
          <li key={attempt.questionIds[position]} data-testid="question" data-kind={question.kind}>
            <QuestionBody
              question={question}
              imageUrl={`/quiz-attempts/${attempt.id}/images/${position}`}
              answer={answers[position] ?? null}
              onAnswer={(value, typed) => answer(position, value, typed)}
            />
          </li>
        ))}
      </ol>
      <Form method="post" onSubmit={(event) => void finish(event)}>
        <input type="hidden" name="intent" value="finish" />
        <input type="hidden" name="attemptId" value={attempt.id} />
        <button type="submit" disabled={finishing} data-testid="finish-attempt">
          {t('quiz.finish')}
        </button>
      </Form>
    </section>
  );
}
