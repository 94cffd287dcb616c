// The instructor's grade of a student's work: a score within the assignment's maximum and feedback.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Actor } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import { tellGraded } from '../notices/notices.ts';
import { loadAssignment } from './assignments.ts';

export const gradeSchema = z.object({
  studentId: z.string().refine(isUuid),
  score: z.coerce.number().min(0, 'assignment.bad_score'),
  feedback: z.string().trim().max(10_000).default(''),
});

/** The instructor grades a student who submitted (score within the maximum); grading again replaces it. */
export async function gradeSubmission(
  db: Db,
  actor: Actor,
  assignmentId: string,
  input: z.infer<typeof gradeSchema>,
): Promise<void> {
  const rules = await loadAssignment(db, assignmentId);
  if (!rules) throw new AppError('not_found');
  requirePermission(actor.user, 'submission.grade', rules.cabinet);
  if (input.score > rules.maxScore)
    throw new AppError('invalid_input', 'assignment.score_above_max', { max: rules.maxScore });
  const submitted = await db
    .selectFrom('submission')
    .select('id')
    .where('assignment_id', '=', assignmentId)
    .where('student_id', '=', input.studentId)
    .executeTakeFirst();
  if (!submitted) throw new AppError('invalid_input', 'assignment.not_submitted');
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('grade')
      .values({
        assignment_id: assignmentId,
        student_id: input.studentId,
        score: input.score,
        feedback: input.feedback,
        graded_by: actor.user.id,
      })
      .onConflict((oc) =>
        oc.columns(['assignment_id', 'student_id']).doUpdateSet({
          score: input.score,
          feedback: input.feedback,
          graded_by: actor.user.id,
          graded_at: sql`now()`,
        }),
      )
      .execute();
    await tellGraded(trx, assignmentId, input.studentId, input);
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'assignment.grade',
      objectType: 'assignment',
      objectId: assignmentId,
      ip: actor.ip,
      data: { studentId: input.studentId, score: input.score },
    });
  });
}
