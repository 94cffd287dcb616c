// GET /assignments/<id>/submissions.zip: the instructor's "download all", streamed from storage
// through the zip straight into the socket. Served here rather than by a Remix resource route:
// Remix's web-stream response path held the zip to about a third of the disk's speed (decision 011).
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';
import { latestSubmissionFiles } from '../assignments/assignment-page.ts';
import { planZip, withKnownChecksums, zipOfFiles, zipTag, type ZipStream } from '../assignments/submissions-zip.ts';
import { requestedRange } from '../media/file-response.ts';
import { findUserByCookie } from '../auth/sessions.ts';
import { negotiateLocale } from '../i18n/i18n.ts';
import type { Services } from '../services.ts';
import { contentDisposition } from '../storage/media-storage.ts';
import { translatedError } from './request-context.ts';
import { webHeaders } from './web-request.ts';

export const SUBMISSIONS_ZIP_PATH = '/assignments/:assignmentId/submissions.zip';

export function createSubmissionsZipRoute(services: Services) {
  return async (req: ExpressRequest, res: ExpressResponse): Promise<void> => {
    const user = await findUserByCookie(services.db, req.headers.cookie ?? null, services.config.sessionIdleMs);
    let found;
    try {
      found = await latestSubmissionFiles(services.db, user, req.params.assignmentId ?? '');
    } catch (error) {
      const { status, message } = translatedError(error, negotiateLocale(webHeaders(req.headers), user?.locale));
      res.status(status).type('text/plain').send(message);
      return;
    }
    const entries = await withKnownChecksums(services.db, services.storage, found.files);
    // Stable while the files are: a resumed download gets the same bytes for the same offsets.
    const modified = new Date(found.files.reduce((latest, file) => Math.max(latest, file.created_at.getTime()), 0));
    const tag = zipTag(entries, modified);
    const plan = planZip(entries, modified);
    // A range is honoured only for this very zip (If-Range names its ETag, or no If-Range).
    const ifRange = req.get('if-range');
    const range = ifRange && ifRange !== tag ? undefined : requestedRange(plan.totalBytes, req.get('range'));
    res.set({
      'Content-Type': 'application/zip',
      'Content-Disposition': contentDisposition('attachment', `${found.title}.zip`),
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
      'Accept-Ranges': 'bytes',
      ETag: tag,
    });
    if (range === 'unsatisfiable') {
      res.status(416).set('Content-Range', `bytes */${plan.totalBytes}`).end();
      return;
    }
    const zip = zipOfFiles(services.storage, plan, range);
    if (range) res.status(206).set('Content-Range', `bytes ${range.start}-${range.end}/${plan.totalBytes}`);
    // The browser shows how far the download is; a broken-off download resumes.
    res.set('Content-Length', String(range ? range.end - range.start + 1 : plan.totalBytes));
    await sendZip(zip, res);
  };
}

/**
 * Writes the zip chunk by chunk, handing each buffer back to the zip once the socket has sent it,
 * and pausing while the socket is full. A client that goes away stops the reading of storage too.
 */
function sendZip(zip: ZipStream, res: ExpressResponse): Promise<void> {
  return new Promise((resolve) => {
    const { stream } = zip;
    const gone = () => {
      zip.abort();
      resolve();
    };
    res.once('close', () => {
      if (!res.writableFinished) gone();
    });
    stream.on('data', (chunk: Buffer) => {
      if (!res.write(chunk, () => zip.release(chunk))) stream.pause();
    });
    res.on('drain', () => stream.resume());
    stream.once('end', () => res.end(resolve));
    stream.once('error', () => {
      res.destroy();
      gone();
    });
  });
}
