import { randomUUID } from 'node:crypto';
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { getCabinetPage, type CabinetItemView, type CabinetSlotView } from '../../server/cabinets/cabinet-page.ts';
import { createExtraItem, itemFieldsSchema, setItemStatus, updateItem } from '../../server/cabinets/items.ts';
import { assignmentFieldsSchema, createAssignment } from '../../server/assignments/assignments.ts';
import { createQuiz, quizFieldsSchema } from '../../server/quizzes/quizzes.ts';
import { copyFromPreviousTerm, reuseSources } from '../../server/cabinets/reuse.ts';
import { locales } from '../../server/common/locales.ts';
import { removeCaption, retryProcessing, setCaption } from '../../server/media/lectures.ts';
import { formatBytes, formatDate, formatDuration } from '../components/format.ts';
import { LocalTime } from '../components/local-time.tsx';
import { Uploader } from '../components/uploader.tsx';
import { formResult, orRespond, readForm, requireUser } from '../guards.server.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const page = await orRespond(() => getCabinetPage(context.services.db, user, params.cabinetId ?? '', new Date(), user.locale));
  // Earlier cabinets of the same subject to copy from: the instructor's own, shown to them only.
  const sources = page.canEdit ? await reuseSources(context.services.db, user, page.id) : [];
  // requestKey: a fresh one each time the page loads, so a double submit of "create" makes one item.
  return { page, sources, chunkSize: context.services.config.uploadChunkBytes, now: new Date().toISOString(), requestKey: randomUUID() };
}

const intentSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('create-item'), requestKey: z.string().uuid().optional() }).merge(itemFieldsSchema),
  z.object({ intent: z.literal('update-item'), itemId: z.string() }).merge(itemFieldsSchema),
  z.object({ intent: z.literal('publish'), itemId: z.string() }),
  z.object({ intent: z.literal('unpublish'), itemId: z.string() }),
  z.object({ intent: z.literal('retry-processing'), fileId: z.string() }),
  z.object({ intent: z.literal('set-caption'), fileId: z.string(), language: z.string(), captions: z.instanceof(File, { message: 'captions.invalid' }) }),
  z.object({ intent: z.literal('remove-caption'), fileId: z.string(), language: z.string() }),
  // No slot: the assessment is an extra item of the cabinet.
  z.object({ intent: z.literal('create-assignment'), slotId: z.string().default('') }).merge(assignmentFieldsSchema),
  z.object({ intent: z.literal('create-quiz'), slotId: z.string().default('') }).merge(quizFieldsSchema),
  z.object({ intent: z.literal('copy-term'), sourceCabinetId: z.string() }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const { db, queue } = context.services;
  const actor = { user, ip: context.clientIp };
  return formResult(async () => {
    const input = await readForm(request, intentSchema);
    switch (input.intent) {
      case 'create-item':
        await createExtraItem(db, actor, params.cabinetId ?? '', input, input.requestKey);
        break;
      case 'update-item':
        await updateItem(db, actor, input.itemId, input);
        break;
      case 'publish':
      case 'unpublish':
        await setItemStatus(db, actor, input.itemId, input.intent === 'publish' ? 'published' : 'draft');
        break;
      case 'retry-processing':
        await retryProcessing(db, queue, actor, input.fileId);
        break;
      case 'set-caption':
        await setCaption(db, actor, input.fileId, input.language, new Uint8Array(await input.captions.arrayBuffer()));
        break;
      case 'remove-caption':
        await removeCaption(db, actor, input.fileId, input.language);
        break;
      case 'create-assignment':
        await createAssignment(db, actor, { cabinetId: params.cabinetId ?? '', slotId: input.slotId || null }, input);
        break;
      case 'create-quiz':
        await createQuiz(db, actor, { cabinetId: params.cabinetId ?? '', slotId: input.slotId || null }, input);
        break;
      case 'copy-term':
        return { copied: await copyFromPreviousTerm(db, actor, params.cabinetId ?? '', input.sourceCabinetId) };
    }
    return null;
  }, [400, 409]);
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type Page = LoaderData['page'];

function ItemBlock({ item, page, chunkSize }: { item: CabinetItemView; page: Page; chunkSize: number }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const busy = useNavigation().state === 'submitting';
  return (
    <div className="item" data-testid="item">
      <div className="item-head">
        {editing ? (
          <Form method="post" className="inline-form" onSubmit={() => setEditing(false)}>
            <input type="hidden" name="intent" value="update-item" />
            <input type="hidden" name="itemId" value={item.id} />
            <input name="title" defaultValue={item.title} required maxLength={200} aria-label={t('cabinet.itemTitle')} />
            <input name="description" defaultValue={item.description} maxLength={5000} aria-label={t('cabinet.itemDescription')} />
            <button type="submit">{t('cabinet.save')}</button>
            <button type="button" onClick={() => setEditing(false)}>
              {t('cabinet.cancel')}
            </button>
          </Form>
        ) : (
          <>
            <strong>{item.title}</strong>
            {page.canEdit ? <span className={`badge ${item.status}`}>{t(`cabinet.${item.status}`)}</span> : null}
            {item.reused && page.seesPlan ? (
              <span className="badge reused" data-testid="reused">
                {t('reuse.badge')}
              </span>
            ) : null}
          </>
        )}
      </div>
      {item.description && !editing ? <p className="description">{item.description}</p> : null}
      {item.assignment ? (
        <p>
          <a href={`/assignments/${item.assignment.id}`} data-testid="assignment-link">
            {t('assignment.open')}
          </a>{' '}
          <span className="muted">
            {t('assignment.due')} <LocalTime iso={item.assignment.dueAt} termZone={page.term.timeZone} />
          </span>
        </p>
      ) : null}
      {item.quiz ? (
        <p>
          <a href={`/quizzes/${item.quiz.id}`} data-testid="quiz-link">
            {t('quiz.open')}
          </a>{' '}
          <span className="muted">
            {t('quiz.closes')} <LocalTime iso={item.quiz.closesAt} termZone={page.term.timeZone} />
          </span>
        </p>
      ) : null}
      <ul className="files">
        {item.files.map((file) => (
          <li key={file.id}>
            <a href={`/files/${file.id}`} download={file.name} data-testid="file-link">
              {file.name}
            </a>{' '}
            <span className="muted">{formatBytes(file.byteSize, t)}</span>
            {file.processingState !== 'none' ? (
              <span className={`badge ${file.processingState}`} data-testid="file-state" data-state={file.processingState}>
                {t(`fileState.${file.processingState}`)}
                {file.processingState === 'processing' && file.processingProgress !== null ? ` ${Math.round(file.processingProgress * 100)}%` : ''}
                {file.processingState === 'awaiting' && file.ahead !== null ? ` · ${t('video.ahead', { count: file.ahead })}` : ''}
                {file.secondsLeft !== null && file.processingState === 'processing' ? ` · ${t('video.timeLeft', { time: formatDuration(file.secondsLeft, t) })}` : ''}
              </span>
            ) : null}
            {file.improving ? (
              <span className="muted" data-testid="file-improving">
                {' '}
                {file.ahead !== null ? t('video.improvingQueued', { count: file.ahead }) : t('video.improving', { percent: Math.round((file.processingProgress ?? 0) * 100) })}
                {file.secondsLeft !== null ? ` · ${t('video.timeLeft', { time: formatDuration(file.secondsLeft, t) })}` : ''}
              </span>
            ) : null}
            {file.processingState === 'ready' ? (
              <>
                {' '}
                <a href={`/watch/${file.id}`} className="watch" data-testid="watch-link">
                  {t('video.watch')}
                </a>
              </>
            ) : null}
            {file.failure ? <span className="error">{t(file.failure.key, file.failure.params)}</span> : null}
            {page.canEdit && file.processingState === 'failed' ? (
              <Form method="post" className="inline-form">
                <input type="hidden" name="fileId" value={file.id} />
                <button type="submit" name="intent" value="retry-processing" disabled={busy} data-testid="retry">
                  {t('video.retry')}
                </button>
              </Form>
            ) : null}
            {page.canEdit && file.processingState === 'ready' ? <CaptionForm fileId={file.id} captions={file.captions} /> : null}
          </li>
        ))}
      </ul>
      {page.canEdit ? (
        <div className="actions">
          {!editing ? (
            <button type="button" onClick={() => setEditing(true)}>
              {t('cabinet.edit')}
            </button>
          ) : null}
          <Form method="post">
            <input type="hidden" name="itemId" value={item.id} />
            <button type="submit" name="intent" value={item.status === 'published' ? 'unpublish' : 'publish'} disabled={busy}>
              {item.status === 'published' ? t('cabinet.unpublish') : t('cabinet.publish')}
            </button>
          </Form>
        </div>
      ) : null}
      {page.canEdit && !item.slotId ? <Uploader cabinetId={page.id} itemId={item.id} chunkSize={chunkSize} label={`${t('cabinet.upload')}: ${item.title}`} /> : null}
    </div>
  );
}

function CaptionForm({ fileId, captions }: { fileId: string; captions: string[] }) {
  const { t } = useTranslation();
  return (
    <details className="captions">
      <summary>
        {t('video.captionsTitle')}
        {captions.length ? `: ${captions.map((language) => t(`language.${language}`)).join(', ')}` : ''}
      </summary>
      {captions.map((language) => (
        <Form method="post" key={language} className="inline-form">
          <input type="hidden" name="fileId" value={fileId} />
          <input type="hidden" name="language" value={language} />
          {t(`language.${language}`)}{' '}
          <button type="submit" name="intent" value="remove-caption">
            {t('video.removeCaption')}
          </button>
        </Form>
      ))}
      <Form method="post" encType="multipart/form-data" className="inline-form" data-testid="caption-form">
        <input type="hidden" name="intent" value="set-caption" />
        <input type="hidden" name="fileId" value={fileId} />
        <label>
          {t('video.captionLanguage')}{' '}
          <select name="language" defaultValue="ky">
            {locales.map((language) => (
              <option key={language} value={language}>
                {t(`language.${language}`)}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          {t('video.captionFile')} <input type="file" name="captions" accept=".vtt,.srt,text/vtt" required />
        </label>{' '}
        <button type="submit">{t('video.addCaptions')}</button>
      </Form>
    </details>
  );
}

/** While a lecture is being processed the page refreshes its data every few seconds (no reload). */
function useLiveProcessing(page: Page) {
  const revalidator = useRevalidator();
  const working = page.items.some((item) => item.files.some((file) => file.processingState === 'awaiting' || file.processingState === 'processing' || file.improving));
  useEffect(() => {
    if (!working) return;
    const timer = setInterval(() => {
      if (revalidator.state === 'idle' && document.visibilityState === 'visible') revalidator.revalidate();
    }, 3000);
    return () => clearInterval(timer);
  }, [working, revalidator]);
}

/** What every new assessment asks: where it goes, its title, formatted instructions, when it opens. */
function AssessmentCommonFields({ slotId }: { slotId?: string }) {
  const { t } = useTranslation();
  return (
    <>
      {slotId ? <input type="hidden" name="slotId" value={slotId} /> : null}
      <label>
        {t('cabinet.itemTitle')} <input name="title" required maxLength={200} />
      </label>
      <label>
        {t('assignment.instructions')} <textarea name="instructions" rows={4} maxLength={20000} />
        <small className="muted">{t('assignment.formatHint')}</small>
      </label>
      <label>
        {t('assignment.opensAt')} <input type="datetime-local" name="opensAt" />
      </label>
    </>
  );
}

/** A new assignment, in an assessment slot or (no slot) as an extra item; dates are in the term's time zone. */
function AssignmentForm({ slotId }: { slotId?: string }) {
  const { t } = useTranslation();
  return (
    <details className="new-assignment">
      <summary>{t('assignment.create')}</summary>
      <Form method="post" className="stacked" data-testid="assignment-form">
        <input type="hidden" name="intent" value="create-assignment" />
        <AssessmentCommonFields slotId={slotId} />
        <label>
          {t('assignment.dueAtLabel')} <input type="datetime-local" name="dueAt" required />
        </label>
        <label>
          {t('assignment.latePolicy')}{' '}
          <select name="latePolicy" defaultValue="accept_late">
            <option value="accept_late">{t('assignment.acceptLate')}</option>
            <option value="refuse">{t('assignment.refuseLate')}</option>
          </select>
        </label>
        <label>
          {t('assignment.maxScore')} <input type="number" name="maxScore" min={1} max={1000} step="0.5" defaultValue={100} required />
        </label>
        <label>
          {t('assignment.allowedExtensions')} <input name="allowedExtensions" placeholder="pdf, docx, jpg" />
        </label>
        <label>
          {t('assignment.maxFiles')} <input type="number" name="maxFiles" min={1} max={20} defaultValue={5} required />
        </label>
        <label>
          {t('assignment.maxFileMib')} <input type="number" name="maxFileMib" min={1} max={2048} defaultValue={50} required />
        </label>
        <button type="submit">{t('assignment.create')}</button>
      </Form>
    </details>
  );
}

/** A new online test from the cabinet's question bank, in an assessment slot or as an extra item. */
function QuizForm({ slotId }: { slotId?: string }) {
  const { t } = useTranslation();
  return (
    <details className="new-assignment">
      <summary>{t('quiz.create')}</summary>
      <Form method="post" className="stacked" data-testid="quiz-form">
        <input type="hidden" name="intent" value="create-quiz" />
        <AssessmentCommonFields slotId={slotId} />
        <label>
          {t('quiz.closesAtLabel')} <input type="datetime-local" name="closesAt" required />
        </label>
        <label>
          {t('quiz.timeLimit')} <input type="number" name="timeLimitMinutes" min={1} max={600} placeholder={t('quiz.noLimit')} />
        </label>
        <label>
          {t('quiz.attemptsAllowed')} <input type="number" name="attemptsAllowed" min={1} max={20} defaultValue={1} required />
        </label>
        <label>
          {t('quiz.drawCount')} <input type="number" name="drawCount" min={1} max={500} placeholder={t('quiz.allQuestions')} />
        </label>
        <label className="check">
          <input type="checkbox" name="shuffleQuestions" defaultChecked /> {t('quiz.shuffleQuestions')}
        </label>
        <label className="check">
          <input type="checkbox" name="shuffleAnswers" defaultChecked /> {t('quiz.shuffleAnswers')}
        </label>
        <label>
          {t('quiz.reviewPolicy')}{' '}
          <select name="reviewPolicy" defaultValue="after_close">
            <option value="after_attempt">{t('quiz.review.after_attempt')}</option>
            <option value="after_close">{t('quiz.review.after_close')}</option>
            <option value="never">{t('quiz.review.never')}</option>
          </select>
        </label>
        <label>
          {t('assignment.maxScore')} <input type="number" name="maxScore" min={1} max={1000} step="0.5" defaultValue={100} required />
        </label>
        <button type="submit">{t('quiz.create')}</button>
      </Form>
    </details>
  );
}

/** Copy an earlier term's cabinet of the same subject: items into the same slots, files shared. */
function CopyFromTerm({ sources }: { sources: LoaderData['sources'] }) {
  const { t } = useTranslation();
  const busy = useNavigation().state === 'submitting';
  return (
    <details className="copy-term">
      <summary>{t('reuse.title')}</summary>
      <Form method="post" className="inline-form" data-testid="copy-form">
        <input type="hidden" name="intent" value="copy-term" />
        <select name="sourceCabinetId" aria-label={t('reuse.title')}>
          {sources.map((source) => (
            <option key={source.cabinetId} value={source.cabinetId}>
              {t('term.label', { year: source.academicYear, semester: source.semester })} · {t('reuse.counts', { items: source.items, questions: source.questions })}
            </option>
          ))}
        </select>{' '}
        <button type="submit" disabled={busy}>
          {t('reuse.copy')}
        </button>
        <p className="muted">{t('reuse.explain')}</p>
      </Form>
    </details>
  );
}

function SlotRow({ slot, item, page, chunkSize }: { slot: CabinetSlotView; item?: CabinetItemView; page: Page; chunkSize: number }) {
  const { t } = useTranslation();
  const label = `${t(`slotKind.${slot.kind}`)} ${slot.number}`;
  return (
    <li className={`slot ${slot.kind}`} data-testid="slot" data-slot-kind={slot.kind} data-slot-number={slot.number}>
      <div className="slot-head">
        <span className="slot-kind">{slot.title ?? label}</span>
        <span className="muted">{t('cabinet.due', { date: formatDate(slot.dueAt, t, page.term.timeZone) })}</span>
        {page.seesPlan && slot.state === 'overdue' ? (
          <span className="badge overdue" data-testid="slot-overdue">
            {t('cabinet.overdue')}
          </span>
        ) : null}
        {page.seesPlan && slot.state === 'open' && !item ? <span className="badge missing">{t('cabinet.missing')}</span> : null}
      </div>
      {item ? <ItemBlock item={item} page={page} chunkSize={chunkSize} /> : null}
      {page.canEdit && slot.kind === 'interim_assessment' && !item ? (
        <>
          <AssignmentForm slotId={slot.id} />
          <QuizForm slotId={slot.id} />
        </>
      ) : null}
      {page.canEdit ? <Uploader cabinetId={page.id} slotId={slot.id} chunkSize={chunkSize} label={`${t('cabinet.upload')}: ${label}`} /> : null}
    </li>
  );
}

export default function CabinetPage() {
  const { t } = useTranslation();
  const busy = useNavigation().state === 'submitting';
  const { page, sources, chunkSize, now, requestKey } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  useLiveProcessing(page);
  const itemBySlot = new Map(page.items.filter((item) => item.slotId).map((item) => [item.slotId, item]));
  const extras = page.items.filter((item) => !item.slotId);
  const weeks = Array.from({ length: page.term.weeks }, (_, i) => i + 1);
  const currentWeek = Math.floor((Date.parse(now) - Date.parse(`${page.term.startsOn}T00:00:00Z`)) / (7 * 24 * 3600 * 1000)) + 1;
  // Students see what is there; the instructor and the staff see the whole plan.
  const visibleSlots = (week: number) => page.slots.filter((slot) => slot.week === week && (page.seesPlan || itemBySlot.has(slot.id)));

  return (
    <section className="cabinet">
      <p>
        <Link to="/">← {t('nav.home')}</Link>
      </p>
      <h1>
        {page.subjectName} <span className="muted">{page.subjectCode}</span>
      </h1>
      <p className="muted">
        {t('cabinet.title')} · {t('term.label', { year: page.term.academicYear, semester: page.term.semester })} ·{' '}
        {t('cabinet.instructor', { name: page.instructorName })} · {t('cabinet.groups', { groups: page.groups.join(', ') })}
      </p>
      {page.canEdit ? (
        <p>
          <Link to={`/cabinets/${page.id}/questions`} data-testid="question-bank-link">
            {t('quiz.bank')}
          </Link>
        </p>
      ) : null}
      {sources.length ? <CopyFromTerm sources={sources} /> : null}
      {result?.result?.copied ? (
        <p className="notice" role="status" data-testid="copy-result">
          {t('reuse.done', result.result.copied)}
        </p>
      ) : null}
      {currentWeek >= 1 && currentWeek <= page.term.weeks ? (
        <p>
          <a href={`#week-${currentWeek}`}>
            {t('term.week', { week: currentWeek })} · {t('term.currentWeek')} ↓
          </a>
        </p>
      ) : null}
      {result?.error ? (
        <p className="form-error" role="alert">
          {t(result.error.messageKey, result.error.params)}
        </p>
      ) : null}
      {!page.canEdit && page.items.length === 0 ? <p>{t('cabinet.nothingYet')}</p> : null}
      {weeks.map((week) => {
        const slots = visibleSlots(week);
        if (slots.length === 0) return null;
        return (
          <section key={week} id={`week-${week}`} className={`week${week === currentWeek ? ' current' : ''}`}>
            <h2>
              {t('term.week', { week })} {week === currentWeek ? <span className="badge current">{t('term.currentWeek')}</span> : null}
            </h2>
            <ul className="slots">
              {slots.map((slot) => (
                <SlotRow key={slot.id} slot={slot} item={itemBySlot.get(slot.id)} page={page} chunkSize={chunkSize} />
              ))}
            </ul>
          </section>
        );
      })}
      <section className="week extras">
        <h2>{t('cabinet.extraTitle')}</h2>
        {extras.length === 0 ? <p className="muted">{t('cabinet.noExtras')}</p> : null}
        {extras.map((item) => (
          <ItemBlock key={item.id} item={item} page={page} chunkSize={chunkSize} />
        ))}
        {page.canEdit ? (
          <Form method="post" className="new-item">
            <h3>{t('cabinet.addExtra')}</h3>
            <input type="hidden" name="intent" value="create-item" />
            <input type="hidden" name="requestKey" value={requestKey} />
            <label>
              {t('cabinet.itemTitle')}
              <input name="title" required maxLength={200} />
            </label>
            <label>
              {t('cabinet.itemDescription')}
              <textarea name="description" maxLength={5000} rows={2} />
            </label>
            <button type="submit" disabled={busy}>
              {t('cabinet.create')}
            </button>
          </Form>
        ) : null}
        {page.canEdit ? (
          <div className="new-extra-assessment">
            <AssignmentForm />
            <QuizForm />
          </div>
        ) : null}
      </section>
    </section>
  );
}
