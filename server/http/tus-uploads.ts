// The tus endpoint: @tus/server over a local file spool, every request authorized, finished files recorded.
import { FileStore } from '@tus/file-store';
import { EVENTS, Server, type Upload } from '@tus/server';
import type { SessionUser } from '../auth/sessions.ts';
import { AppError, isAppError } from '../errors.ts';
import type { Services } from '../services.ts';
import { authorizeUploadRequest, beginUpload, finishUpload, forgetUpload } from '../uploads/uploads.ts';
import { createSpoolHasher } from '../uploads/spool-hasher.ts';
import { findUserByCookie } from '../auth/sessions.ts';
import { negotiateLocale } from '../i18n/i18n.ts';
import { translatedError } from './request-context.ts';

type TusRejection = { status_code: number; body: string };

export const UPLOADS_PATH = '/uploads';

export type TusEndpoint = {
  /** Answers one tus request; `ip` is the client's address (Express knows it, a web Request does not). */
  handle(request: Request, ip: string | null): Promise<Response>;
  close(): Promise<void>;
};

export function createTusEndpoint(services: Services): TusEndpoint {
  const { db, config } = services;
  // Each request is authorized once in onIncomingRequest; later hooks of the same request read it here.
  const users = new WeakMap<Request, SessionUser | null>();
  const ips = new WeakMap<Request, string | null>();

  const reject = (req: Request, error: unknown): TusRejection => {
    if (!isAppError(error)) services.logger.error('upload failed', { error: String(error), stack: (error as Error)?.stack });
    const { status, message } = translatedError(error, negotiateLocale(req.headers, users.get(req)?.locale));
    return { status_code: status, body: `${message}\n` };
  };

  const hasher = createSpoolHasher(config.spoolDir);
  const server = new Server({
    path: UPLOADS_PATH,
    datastore: new FileStore({ directory: config.spoolDir }),
    relativeLocation: true,
    // A safety net for every PATCH body; each kind's own limit is checked when the upload is created.
    maxSize: Math.max(config.uploadLimits.video, config.uploadLimits.document),
    async onIncomingRequest(req, uploadId) {
      const findUser = () => findUserByCookie(db, req.headers.get('cookie'));
      try {
        // The size must be known up front, so that each kind's limit holds before a byte is stored.
        if (req.headers.get('upload-defer-length') !== null) throw new AppError('invalid_upload', 'upload.length_required');
        if (req.method === 'POST') {
          const user = await findUser();
          users.set(req, user);
          if (!user) throw new AppError('unauthorized');
        } else {
          users.set(req, await authorizeUploadRequest(db, findUser, uploadId, req.method));
        }
      } catch (error) {
        throw reject(req, error);
      }
    },
    async onUploadCreate(req, upload: Upload) {
      try {
        await beginUpload(db, users.get(req) ?? null, {
          uploadId: upload.id,
          size: upload.size,
          metadata: upload.metadata,
          limits: config.uploadLimits,
        });
      } catch (error) {
        throw reject(req, error);
      }
      hasher.follow(upload.id);
      return {};
    },
    async onUploadFinish(req, upload: Upload) {
      try {
        const finished = await finishUpload(
          { db, storage: services.storage, queue: services.queue, spoolDir: config.spoolDir },
          upload.id,
          { ip: ips.get(req) ?? null, sha256: () => hasher.digest(upload.id, upload.size ?? 0) },
        );
        return { headers: { 'Kabinet-Media-File': finished.mediaFileId, 'Access-Control-Expose-Headers': 'Kabinet-Media-File' } };
      } catch (error) {
        hasher.forget(upload.id);
        throw reject(req, error);
      }
    },
  });
  server.on(EVENTS.POST_TERMINATE, (_req, _res, id: string) => {
    hasher.forget(id);
    forgetUpload(db, id).catch((error) => services.logger.warn('forget upload failed', { id, error: String(error) }));
  });
  return {
    handle(request, ip) {
      ips.set(request, ip);
      return server.handleWeb(request);
    },
    close: () => hasher.close(),
  };
}
