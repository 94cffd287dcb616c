// A lecture's page: the player (hls.js, or native HLS where the browser has it) with quality, audio
// only, speed, captions, thumbnails on scrub, keyboard control and resume; students' players report
// what was watched; the instructor and the staff above see who watched how much.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { signMediaToken } from '../../server/media/media-token.ts';
import { watchPage } from '../../server/media/lectures.ts';
import { LecturePlayer } from '../components/player/lecture-player.tsx';
import { formatClock } from '../../server/common/format.ts';
import { orRespond, requireUser } from '../guards.server.ts';
import { ScrollTable } from '../components/scroll-table.tsx';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const page = await orRespond(() => watchPage(context.services.db, user, params.fileId ?? ''));
  const { file } = page;
  const token = signMediaToken(context.services.mediaTokenKey, {
    userId: user.id,
    mediaFileId: file.id,
    attempt: file.hls_prefix!.split('/').pop()!,
    expiresAt: Date.now() + context.services.config.media.tokenTtlMs,
  });
  const media = `/media/${token}`;
  return {
    fileId: file.id,
    title: page.title,
    cabinetId: page.cabinetId,
    media,
    poster: file.poster_key ? `${media}/poster.jpg` : null,
    thumbnails: file.thumbnails_key ? `${media}/thumbs/thumbs.vtt` : null,
    audioOnlySource: file.file_kind === 'audio',
    captions: page.captions,
    resumeAt: page.resumeAt,
    reportsProgress: page.reportsProgress,
    viewers: page.viewers,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? 'Kabinet' }];

export default function Watch() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <main className="watch-page">
      <p>
        <Link to={`/cabinets/${data.cabinetId}`}>{t('video.back')}</Link>
      </p>
      <h1>{data.title}</h1>
      <LecturePlayer
        fileId={data.fileId}
        title={data.title}
        media={data.media}
        poster={data.poster}
        audioOnlySource={data.audioOnlySource}
        thumbnails={data.thumbnails}
        captions={data.captions}
        resumeAt={data.resumeAt}
        reportsProgress={data.reportsProgress}
      />
      {data.viewers ? (
        <section className="viewers">
          <h2>{t('progress.title')}</h2>
          <ScrollTable label={t('progress.title')}>
            <table data-testid="viewers">
              <thead>
                <tr>
                  <th>{t('progress.student')}</th>
                  <th>{t('progress.group')}</th>
                  <th>{t('progress.watched')}</th>
                  <th>{t('progress.furthest')}</th>
                  <th>{t('progress.completed')}</th>
                </tr>
              </thead>
              <tbody>
                {data.viewers.rows.map((row) => (
                  <tr key={row.studentId} className={row.completed ? 'completed' : undefined}>
                    <td>{row.name}</td>
                    <td>{row.group}</td>
                    <td>
                      {formatClock(row.watchedSeconds)}
                      {data.viewers!.durationSeconds
                        ? ` (${Math.round((100 * row.watchedSeconds) / data.viewers!.durationSeconds)}%)`
                        : ''}
                    </td>
                    <td>{formatClock(row.furthestSeconds)}</td>
                    <td>{row.completed ? '✓' : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        </section>
      ) : null}
    </main>
  );
}
