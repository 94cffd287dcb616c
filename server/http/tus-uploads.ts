// The tus endpoint: @tus/server over a local file spool, every request authorized, finished files recorded.
import { EVENTS, Server, type Upload } from '@tus/server';
import type { SessionUser } from '../auth/sessions.ts';
import { AppError, isAppError } from '../errors.ts';
import type { Services } from '../services.ts';
import { authorizeUploadRequest, beginUpload, finishUpload, forgetUpload } from '../uploads/uploads.ts';
import { HashingFileStore } from './hashing-file-store.ts';
import { localeOf, translatedError, userFromHeaders } from './request-context.ts';

type TusRequest = Request & { runtime?: { node?: { req?: { ip?: string } } } };
type TusRejection = { status_code: number; body: string };

export const UPLOADS_PATH = '/uploads';

export function createTusServer(services: Services): Server {
  const { db, config } = services;
  // Each request is authorized once in onIncomingRequest; later hooks of the same request read it here.
  const users = new WeakMap<Request, SessionUser | null>();
  const ipOf = (req: TusRequest) => req.runtime?.node?.req?.ip ?? null;

  const reject = (req: Request, error: unknown): TusRejection => {
    if (!isAppError(error)) services.logger.error('upload failed', { error: String(error), stack: (error as Error)?.stack });
    const { status, message } = translatedError(error, localeOf(req.headers, users.get(req) ?? null));
    return { status_code: status, body: `${message}\n` };
  };

  const store = new HashingFileStore({ directory: config.spoolDir });
  const server = new Server({
    path: UPLOADS_PATH,
    datastore: store,
    relativeLocation: true,
    // A safety net for every PATCH body; each kind's own limit is checked when the upload is created.
    maxSize: Math.max(config.uploadLimits.video, config.uploadLimits.document),
    async onIncomingRequest(req, uploadId) {
      const user = await userFromHeaders(db, req.headers);
      users.set(req, user);
      try {
        // The size must be known up front, so that each kind's limit holds before a byte is stored.
        if (req.headers.get('upload-defer-length') !== null) throw new AppError('invalid_upload', 'upload.length_required');
        if (req.method === 'POST') {
          if (!user) throw new AppError('unauthorized');
        } else {
          await authorizeUploadRequest(db, user, uploadId, req.method);
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
      return {};
    },
    async onUploadFinish(req, upload: Upload) {
      try {
        const finished = await finishUpload(
          { db, storage: services.storage, queue: services.queue, spoolDir: config.spoolDir },
          upload.id,
          { ip: ipOf(req as TusRequest), sha256: store.takeDigest(upload.id, upload.size) },
        );
        return { headers: { 'Kabinet-Media-File': finished.mediaFileId, 'Access-Control-Expose-Headers': 'Kabinet-Media-File' } };
      } catch (error) {
        throw reject(req, error);
      }
    },
  });
  server.on(EVENTS.POST_TERMINATE, (_req, _res, id: string) => {
    forgetUpload(db, id).catch((error) => services.logger.warn('forget upload failed', { id, error: String(error) }));
  });
  return server;
}
