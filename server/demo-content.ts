// Something to look at in a newcomer's demo: the demo instructor's MATH-101 cabinet open, with a
// published assignment and a published online test (questions of several kinds in its bank), made
// the way an instructor makes them, so its students find them, and are told, at their first login.
// Only with the demo university just seeded, and not for tests (which build their own content).
import { sql } from 'kysely';
import type { Db } from '../db/client.ts';
import { demoDomain } from '../db/demo.ts';
import { createAssignment } from './assignments/assignments.ts';
import { formatTimestamp } from './common/format.ts';
import { findSessionUser, createSession, revokeSession } from './auth/sessions.ts';
import { setItemStatus } from './cabinets/items.ts';
import { openCabinet } from './cabinets/teaching.ts';
import { currentTerm } from './cabinets/term.ts';
import { importQuestions } from './quizzes/question-bank.ts';
import { createQuiz } from './quizzes/quizzes.ts';

const bank = `// Демо: Математикалык анализ
::Предел:: lim (x→0) sin(x)/x канчага барабар? {#1}

::Туунду:: x² функциясынын туундусу? {=2x ~x ~x²/2 ~2}

::Үзгүлтүксүз:: Ар бир дифференцирленүүчү функция үзгүлтүксүз. {T}

::Интеграл:: ∫ 2x dx = ? (жоопту x менен жазыңыз, + C кошпой) {=x^2 =x²}
`;

/** A local date-time (the term's zone) `days` after today at 23:59, as the forms take it. */
const daysAhead = (days: number, timeZone: string) =>
  `${formatTimestamp(new Date(Date.now() + days * 24 * 3600 * 1000).toISOString(), timeZone).slice(0, 10)}T23:59`;

export async function seedDemoContent(db: Db): Promise<void> {
  const term = await currentTerm(db);
  const teaching = term
    ? await db
        .selectFrom('teaching_assignment as ta')
        .innerJoin('subject', 'subject.id', 'ta.subject_id')
        .innerJoin('app_user', 'app_user.id', 'ta.instructor_id')
        .select(['ta.id', 'app_user.id as instructorId'])
        .where('subject.code', '=', 'MATH-101')
        .where('app_user.email', '=', `instructor@${demoDomain}`)
        .where('ta.term_id', '=', term.id)
        .executeTakeFirst()
    : undefined;
  if (!term || !teaching) return;
  // The instructor as the permission module sees them, through a session made and ended here.
  const token = await createSession(db, { userId: teaching.instructorId, ttlMs: 60_000, ip: null, userAgent: 'demo' });
  try {
    const user = await findSessionUser(db, token);
    if (!user) return;
    const actor = { user, ip: null };
    const cabinetId = await openCabinet(db, user, teaching.id);
    const assessments = await db
      .selectFrom('slot')
      .select('id')
      .where('cabinet_id', '=', cabinetId)
      .where('kind', '=', 'interim_assessment')
      .orderBy('week')
      .orderBy('number')
      .execute();
    const assignmentId = await createAssignment(
      db,
      actor,
      { cabinetId, slotId: assessments[0]?.id ?? null },
      {
        title: 'Үй тапшырмасы: пределдер',
        instructions: 'Китептеги 1–10-мисалдарды чыгарып, PDF же сүрөт менен жибериңиз.',
        opensAt: '',
        dueAt: daysAhead(10, term.timeZone),
        latePolicy: 'accept_late',
        maxScore: 10,
        allowedExtensions: ['pdf', 'jpg', 'png'],
        maxFiles: 5,
        maxFileMib: 20,
      },
    );
    await importQuestions(db, actor, cabinetId, 'gift', new TextEncoder().encode(bank));
    const quizId = await createQuiz(
      db,
      actor,
      { cabinetId, slotId: assessments[1]?.id ?? null },
      {
        title: 'Аралык тест: туунду жана интеграл',
        instructions: 'Бир аракетке 20 мүнөт.',
        opensAt: '',
        closesAt: daysAhead(14, term.timeZone),
        timeLimitMinutes: 20,
        attemptsAllowed: 2,
        shuffleQuestions: true,
        shuffleAnswers: true,
        drawCount: null,
        reviewPolicy: 'after_attempt',
        maxScore: 20,
      },
    );
    const items = await sql<{ item_id: string }>`
      select item_id from assignment where id = ${assignmentId}
      union all select item_id from quiz where id = ${quizId}`.execute(db);
    for (const { item_id } of items.rows) await setItemStatus(db, actor, item_id, 'published');
  } finally {
    await revokeSession(db, token);
  }
}
