// The tus endpoint: @tus/server over a local file spool, every request authorized, finished files recorded.
import { FileStore } from '@tus/file-store';
import { EVENTS, Server, type Upload } from '@tus/server';
import type { SessionUser } from '../auth/sessions.ts';
import { AppError, answerableError } from '../errors.ts';
import type { Services } from '../services.ts';
import { sweepSpool } from '../uploads/spool-sweep.ts';
import { authorizeUploadRequest, beginUpload, checkArrivingContent, forgetUpload } from '../uploads/uploads.ts';
import { finishUpload } from '../uploads/finish-upload.ts';
import { HEAD_BYTES } from '../uploads/file-types.ts';
import { createSpoolHasher } from '../uploads/spool-hasher.ts';
import { createUploadLocker } from './upload-lease.ts';
import { findUserByCookie } from '../auth/sessions.ts';
import { negotiateLocale } from '../i18n/i18n.ts';
import { translatedError } from './request-context.ts';
import { webHeaders } from './web-request.ts';
import { createPatchReceiver } from './tus-patch.ts';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';

type TusRejection = { status_code: number; body: string };

export const UPLOADS_PATH = '/uploads';

export type TusEndpoint = {
  /** Answers one tus request; `ip` is the client's address (Express knows it, a web Request does not). */
  handle(request: Request, ip: string | null): Promise<Response>;
  /** Answers a PATCH (the upload's bytes) without @tus/server's stream adapters; see tus-patch.ts. */
  receivePatch(req: ExpressRequest, res: ExpressResponse): Promise<void>;
  close(): Promise<void>;
};

/** What the parts of the endpoint share: the services, the spool's hasher, and who each request is. */
type Endpoint = {
  services: Services;
  hasher: ReturnType<typeof createSpoolHasher>;
  store: FileStore;
  locker: ReturnType<typeof createUploadLocker>;
  // Each request is authorized once in onIncomingRequest; later hooks of the same request read it here.
  users: WeakMap<Request, SessionUser | null>;
  ips: WeakMap<Request, string | null>;
};

/** The translated answer to a refused request; anything but a refusal is logged. */
function explain(endpoint: Endpoint, headers: Headers, user: SessionUser | null | undefined, error: unknown) {
  const { status, message, bug } = translatedError(error, negotiateLocale(headers, user?.locale));
  if (bug) endpoint.services.logger.error('upload failed', { error: String(error), stack: (error as Error)?.stack });
  return { status, body: `${message}\n` };
}

function reject(endpoint: Endpoint, req: Request, error: unknown): TusRejection {
  const { status, body } = explain(endpoint, req.headers, endpoint.users.get(req), error);
  // tus-js-client starts the upload again from zero when the HEAD that resumes it is refused with
  // anything but 423. While the database is away (503) the upload is only out of reach for now:
  // 423 ("locked, try again later") makes the client wait and resume it where it was.
  return { status_code: req.method === 'HEAD' && status === 503 ? 423 : status, body };
}

/** This process's spool is swept here, where it is: the workers may run on other machines. */
function sweepSpoolEvery(services: Services): NodeJS.Timeout {
  const { db, config, logger } = services;
  const sweeping = setInterval(() => {
    sweepSpool({ db, spoolDir: config.spoolDir }, config.abandonedUploadMs).then(
      (swept) => (swept.discarded || swept.orphans) && logger.info('upload spool swept', swept),
      (error: unknown) => logger.warn('upload spool sweep failed', { error: String(error) }),
    );
  }, config.spoolSweepMs);
  sweeping.unref();
  return sweeping;
}

/** Checks a complete upload and records it; the answer's extra headers. */
async function finish(endpoint: Endpoint, upload: Upload, ip: string | null): Promise<Record<string, string>> {
  const { db, storage, queue, config } = endpoint.services;
  try {
    const finished = await finishUpload({ db, storage, queue, spoolDir: config.spoolDir }, upload.id, {
      ip,
      checksums: () => endpoint.hasher.digest(upload.id, upload.size ?? 0),
    });
    const [name, id] =
      'mediaFileId' in finished
        ? ['Kabinet-Media-File', finished.mediaFileId]
        : ['Kabinet-Submission-File', finished.submissionFileId];
    return { [name]: id, 'Access-Control-Expose-Headers': name };
  } catch (error) {
    endpoint.hasher.forget(upload.id);
    throw error;
  }
}

/** @tus/server with every request authorized and every refusal translated. */
function tusServer(endpoint: Endpoint): Server {
  const { db, config } = endpoint.services;
  const { users, ips, hasher } = endpoint;
  const server = new Server({
    path: UPLOADS_PATH,
    datastore: endpoint.store,
    locker: endpoint.locker,
    relativeLocation: true,
    // A safety net for every PATCH body; each kind's own limit is checked when the upload is created.
    maxSize: Math.max(config.uploadLimits.video, config.uploadLimits.document),
    async onIncomingRequest(req, uploadId) {
      const findUser = () => findUserByCookie(db, req.headers.get('cookie'), config.sessionIdleMs);
      try {
        // The size must be known up front, so that each kind's limit holds before a byte is stored.
        if (req.headers.get('upload-defer-length') !== null)
          throw new AppError('invalid_upload', 'upload.length_required');
        if (req.method === 'POST') {
          const user = await findUser();
          users.set(req, user);
          if (!user) throw new AppError('unauthorized');
        } else {
          users.set(req, await authorizeUploadRequest(db, findUser, uploadId, req.method));
        }
      } catch (error) {
        throw reject(endpoint, req, error);
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
        throw reject(endpoint, req, error);
      }
      hasher.follow(upload.id);
      return {};
    },
    async onUploadFinish(req, upload: Upload) {
      try {
        return { headers: await finish(endpoint, upload, ips.get(req) ?? null) };
      } catch (error) {
        throw reject(endpoint, req, error);
      }
    },
    // What the datastore throws (a full disk while creating an upload) is translated like any refusal.
    onResponseError(req, error) {
      if (error instanceof Error && answerableError(error)) return reject(endpoint, req, error);
      return undefined;
    },
  });
  server.on(EVENTS.POST_TERMINATE, (_req, _res, id: string) => {
    hasher.forget(id);
    forgetUpload(db, id).catch((error) =>
      endpoint.services.logger.warn('forget upload failed', { id, error: String(error) }),
    );
  });
  return server;
}

/** The PATCH receiver (tus-patch.ts) with the same authorization, content check and finish. */
function patchReceiver(endpoint: Endpoint): TusEndpoint['receivePatch'] {
  const { db, config } = endpoint.services;
  const patchUsers = new WeakMap<ExpressRequest, SessionUser>();
  return createPatchReceiver({
    spoolDir: config.spoolDir,
    locker: endpoint.locker,
    // The stored record only: the PATCH receiver reads the offset (the spool file's length) itself.
    async readUpload(uploadId) {
      const upload = await endpoint.store.configstore.get(uploadId).catch(() => undefined);
      if (!upload) throw new AppError('not_found');
      return upload;
    },
    async authorize(req, uploadId) {
      const findUser = () => findUserByCookie(db, req.get('cookie') ?? null, config.sessionIdleMs);
      patchUsers.set(req, await authorizeUploadRequest(db, findUser, uploadId, 'PATCH'));
    },
    headBytes: HEAD_BYTES,
    async checkHead(upload, head) {
      try {
        await checkArrivingContent({ db, spoolDir: config.spoolDir }, upload.id, head);
      } catch (error) {
        endpoint.hasher.forget(upload.id);
        throw error;
      }
    },
    finish: (req, upload) => finish(endpoint, upload, req.ip ?? null),
    refuse(req, res, error) {
      const { status, body } = explain(endpoint, webHeaders(req.headers), patchUsers.get(req), error);
      res.status(status).set('Tus-Resumable', '1.0.0').type('text/plain').send(body);
    },
  });
}

export function createTusEndpoint(services: Services): TusEndpoint {
  const endpoint: Endpoint = {
    services,
    hasher: createSpoolHasher(services.config.spoolDir),
    store: new FileStore({ directory: services.config.spoolDir }),
    // Across processes that share the spool, not only within this one (decision 031).
    locker: createUploadLocker(services.db),
    users: new WeakMap(),
    ips: new WeakMap(),
  };
  const sweeping = sweepSpoolEvery(services);
  const server = tusServer(endpoint);
  return {
    receivePatch: patchReceiver(endpoint),
    handle(request, ip) {
      endpoint.ips.set(request, ip);
      return server.handleWeb(request);
    },
    close: () => {
      clearInterval(sweeping);
      return endpoint.hasher.close();
    },
  };
}
