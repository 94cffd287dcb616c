// A cabinet with something in it, made the way an instructor makes it: the instructor's MATH-101
// with a published practical material (a PDF through tus), a published lecture (a generated clip
// through tus, processed by the real transcoder), a published assignment and a published online test
// (questions imported from GIFT). For tests that look at every page a person can reach.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createAssignment } from '../../server/assignments/assignments.ts';
import { setItemStatus } from '../../server/cabinets/items.ts';
import { importQuestions } from '../../server/quizzes/question-bank.ts';
import { createQuiz } from '../../server/quizzes/quizzes.ts';
import { demoCabinet } from './demo-cabinet.ts';
import { processLecture } from './process-lecture.ts';
import type { TestServer } from './test-server.ts';
import { tusUploadWhole } from './tus-requests.ts';

export type CourseContent = { cabinetId: string; lectureFileId: string; assignmentId: string; quizId: string };

/** A short H.264/AAC clip, small enough to process in a second or two. */
export async function clip(): Promise<Buffer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-clip-'));
  const file = path.join(dir, 'lecture.mp4');
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=426x240:r=25:d=6'],
    ...['-f', 'lavfi', '-i', 'sine=d=6', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', file],
  ]);
  const bytes = await fs.readFile(file);
  await fs.rm(dir, { recursive: true, force: true });
  return bytes;
}

export async function seedCourseContent(server: TestServer): Promise<CourseContent> {
  const { db } = server.services;
  const cabinet = await demoCabinet(db, 'instructor', 'MATH-101');
  const actor = { user: cabinet.user, ip: null };
  const cookie = await server.cookieFor('instructor');
  const slot = (kind: string, number: number) =>
    cabinet.slots.find((candidate) => candidate.kind === kind && candidate.number === number)!;
  const upload = async (slotId: string, filename: string, bytes: Buffer) => {
    const { finish } = await tusUploadWhole(server.url, bytes, {
      cookie,
      metadata: { cabinetId: cabinet.cabinetId, slotId, filename },
    });
    const fileId = finish?.headers.get('kabinet-media-file');
    if (!fileId) throw new Error(`${filename} was not uploaded`);
    return db.selectFrom('media_file').select(['id', 'item_id']).where('id', '=', fileId).executeTakeFirstOrThrow();
  };

  const pdf = await upload(
    slot('practical_material', 1).id,
    'Практикалык иш 1.pdf',
    Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(20_000, 7)]),
  );
  await setItemStatus(db, actor, pdf.item_id, 'published');
  const lecture = await upload(slot('lecture_video', 1).id, 'Лекция 1.mp4', await clip());
  await processLecture(server.services, lecture.id);
  await setItemStatus(db, actor, lecture.item_id, 'published');

  const assessments = cabinet.slots.filter((candidate) => candidate.kind === 'interim_assessment');
  const assignmentId = await createAssignment(
    db,
    actor,
    { cabinetId: cabinet.cabinetId, slotId: assessments[0]!.id },
    {
      title: 'Лабораториялык иш',
      instructions: 'Отчетту PDF менен жибериңиз.',
      opensAt: '',
      dueAt: '2099-12-01T23:59',
      latePolicy: 'accept_late',
      maxScore: 10,
      allowedExtensions: ['pdf'],
      maxFiles: 2,
      maxFileMib: 5,
    },
  );
  await importQuestions(
    db,
    actor,
    cabinet.cabinetId,
    'gift',
    new TextEncoder().encode(
      '::Борбор:: Кыргызстандын борбору? {=Бишкек ~Ош ~Талас}\n\n::Көл:: Ысык-Көл — Кыргызстанда. {T}\n',
    ),
  );
  const quizId = await createQuiz(
    db,
    actor,
    { cabinetId: cabinet.cabinetId, slotId: assessments[1]!.id },
    {
      title: 'Аралык тест',
      instructions: '',
      opensAt: '',
      closesAt: '2099-12-01T23:59',
      timeLimitMinutes: 20,
      attemptsAllowed: 2,
      shuffleQuestions: false,
      shuffleAnswers: false,
      drawCount: null,
      reviewPolicy: 'after_attempt',
      maxScore: 20,
    },
  );
  for (const table of ['assignment', 'quiz'] as const) {
    const id = table === 'assignment' ? assignmentId : quizId;
    const { item_id } = await db.selectFrom(table).select('item_id').where('id', '=', id).executeTakeFirstOrThrow();
    await setItemStatus(db, actor, item_id, 'published');
  }
  return { cabinetId: cabinet.cabinetId, lectureFileId: lecture.id, assignmentId, quizId };
}
