// An assignment: students read it, upload files (resumable), submit and see their grade; the
// instructor sees every student of the groups, opens their files, grades, and downloads them all.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { submitWork } from '../../server/assignments/assignments.ts';
import { gradeSchema, gradeSubmission } from '../../server/assignments/grades.ts';
import { assignmentPage } from '../../server/assignments/assignment-page.ts';
import { Countdown } from '../components/assignment/countdown.tsx';
import { GradeOne } from '../components/assignment/grade-one.tsx';
import { MyWork } from '../components/assignment/my-work.tsx';
import { Roster } from '../components/assignment/roster.tsx';
import { FormError } from '../components/form-error.tsx';
import { FormattedText } from '../components/formatted-text.tsx';
import { LocalTime } from '../components/local-time.tsx';
import { formResult, orRespond, readForm, requireUser } from '../guards.server.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const page = await orRespond(() => assignmentPage(context.services.db, user, params.assignmentId ?? ''));
  const student = new URL(request.url).searchParams.get('student');
  const instructionsHtml = await context.services.text.formatted(page.rules.instructions);
  return {
    page,
    instructionsHtml,
    chunkSize: context.services.config.uploadChunkBytes,
    now: new Date().toISOString(),
    student,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: loaded?.page.rules.title ?? 'Kabinet' },
];

const intentSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('submit'), text: z.string().max(20_000).default('') }),
  z.object({ intent: z.literal('grade'), next: z.string().optional() }).merge(gradeSchema),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const actor = { user, ip: context.clientIp };
  const assignmentId = params.assignmentId ?? '';
  // A closed deadline or too many files (409) is something the student reads on the page too.
  return formResult(async () => {
    const input = await readForm(request, intentSchema);
    if (input.intent === 'submit') {
      await submitWork(context.services.db, actor, assignmentId, input.text);
      return;
    }
    await gradeSubmission(context.services.db, actor, assignmentId, input);
    // Grading one student after another: on to the next one.
    if (input.next) throw redirect(`/assignments/${assignmentId}?student=${encodeURIComponent(input.next)}`);
  }, [400, 409]);
}

export default function AssignmentPage() {
  const { page, instructionsHtml, chunkSize, now, student } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const { rules } = page;
  const zone = rules.timeZone;
  return (
    <section className="assignment">
      <p>
        <Link to={`/cabinets/${rules.cabinetId}`}>← {t('video.back')}</Link>
      </p>
      <h1>{rules.title}</h1>
      <p className="muted">
        {rules.opensAt ? (
          <>
            {t('assignment.opensAt')} <LocalTime iso={rules.opensAt} termZone={zone} /> ·{' '}
          </>
        ) : null}
        {t('assignment.due')} <LocalTime iso={rules.dueAt} termZone={zone} /> ·{' '}
        <Countdown dueAt={rules.dueAt} now={now} /> ·{' '}
        {t(rules.latePolicy === 'refuse' ? 'assignment.refuseLate' : 'assignment.acceptLate')} ·{' '}
        {t('assignment.maxScoreShown', { max: rules.maxScore })}
      </p>
      {instructionsHtml ? <FormattedText className="instructions" html={instructionsHtml} /> : null}
      <FormError error={result?.error} />
      {page.mine ? <MyWork page={page} mine={page.mine} chunkSize={chunkSize} /> : null}
      {page.roster && page.canGrade && student ? <GradeOne page={page} studentId={student} /> : null}
      {page.roster ? <Roster page={page} roster={page.roster} /> : null}
    </section>
  );
}
