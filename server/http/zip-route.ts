// GET /assignments/<id>/submissions.zip: the instructor's "download all", streamed from storage
// through the zip straight into the socket. Served here rather than by a Remix resource route:
// Remix's web-stream response path held the zip to about a third of the disk's speed (decision 011).
import { pipeline } from 'node:stream/promises';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';
import { latestSubmissionFiles } from '../assignments/assignments.ts';
import { zipOfFiles } from '../assignments/submissions-zip.ts';
import { findUserByCookie } from '../auth/sessions.ts';
import { negotiateLocale } from '../i18n/i18n.ts';
import type { Services } from '../services.ts';
import { contentDisposition } from '../storage/media-storage.ts';
import { translatedError } from './request-context.ts';
import { webHeaders } from './web-request.ts';

export const SUBMISSIONS_ZIP_PATH = '/assignments/:assignmentId/submissions.zip';

export function createSubmissionsZipRoute(services: Services) {
  return async (req: ExpressRequest, res: ExpressResponse): Promise<void> => {
    const user = await findUserByCookie(services.db, req.headers.cookie ?? null);
    let found;
    try {
      found = await latestSubmissionFiles(services.db, user, req.params.assignmentId ?? '');
    } catch (error) {
      const { status, message } = translatedError(error, negotiateLocale(webHeaders(req.headers), user?.locale));
      res.status(status).type('text/plain').send(message);
      return;
    }
    res.set({
      'Content-Type': 'application/zip',
      'Content-Disposition': contentDisposition('attachment', `${found.title}.zip`),
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    // A client that goes away stops the reading of storage too.
    await pipeline(zipOfFiles(services.storage, found.files), res).catch(() => res.destroy());
  };
}
