// A queue of resumable uploads (tus-js-client) into one target, one file at a time: on a weak
// connection parallel files only slow each other down. Uploads cut short by a reload or a closed
// tab are remembered by tus-js-client and resume where the server says they got to.
import { useEffect, useRef, useState } from 'react';
import * as tus from 'tus-js-client';

/** Where files go: a slot or an item of the cabinet, or (a student's files) an assignment. */
export type UploadTarget = {
  cabinetId: string;
  slotId?: string;
  itemId?: string;
  assignmentId?: string;
  /** A newer version of this file of the item. */
  replacesFileId?: string;
};

export type UploadStatus = 'queued' | 'uploading' | 'paused' | 'done' | 'failed';
export type UploadEntry = {
  key: string;
  file: File;
  status: UploadStatus;
  sent: number;
  /** Bytes per second, smoothed. */
  speed: number;
  error?: string;
  upload?: tus.Upload;
};
/** An upload of an earlier visit to this page that did not finish, and how far it got. */
export type Unfinished = { name: string; percent: number };

const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000];
const fingerprintPrefix = (target: UploadTarget) =>
  `kabinet:${target.cabinetId}:${target.slotId ?? target.itemId ?? target.assignmentId ?? ''}:${target.replacesFileId ?? ''}:`;

/** Bytes per second, smoothed over half-second samples so the time left does not jump around. */
function speedMeter(): (sent: number) => number {
  let lastTime = performance.now();
  let lastBytes = -1;
  let speed = 0;
  return (sent) => {
    const now = performance.now();
    if (lastBytes < 0) lastBytes = sent; // a resumed upload starts at its offset, not at zero
    if (now - lastTime > 500) {
      const instant = ((sent - lastBytes) / (now - lastTime)) * 1000;
      speed = speed === 0 ? instant : speed * 0.7 + instant * 0.3;
      lastTime = now;
      lastBytes = sent;
    }
    return speed;
  };
}

/** The server's own (translated) refusal, when it gave a short one. */
function errorMessage(error: Error): string {
  const detailed = error as tus.DetailedError;
  const body = detailed.originalResponse?.getBody()?.trim();
  return body && body.length < 400 ? body : '';
}

/** Uploads of earlier visits into this target that the server still holds. */
export function useUnfinishedUploads(target: UploadTarget) {
  const [unfinished, setUnfinished] = useState<Unfinished[]>([]);
  useEffect(() => {
    let cancelled = false;
    void tus.defaultOptions.urlStorage.findAllUploads().then(async (stored) => {
      const mine = stored.filter((entry) =>
        String((entry as { urlStorageKey?: string }).urlStorageKey ?? '').includes(fingerprintPrefix(target)),
      );
      const found: Unfinished[] = [];
      for (const entry of mine) {
        if (!entry.uploadUrl) continue;
        const response = await fetch(entry.uploadUrl, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } }).catch(
          () => null,
        );
        const offset = Number(response?.headers.get('Upload-Offset'));
        if (!response?.ok || !Number.isFinite(offset)) continue;
        found.push({ name: entry.metadata?.filename ?? '', percent: Math.floor((offset / (entry.size || 1)) * 100) });
      }
      if (!cancelled) setUnfinished(found);
    });
    return () => {
      cancelled = true;
    };
  }, [target]);
  const finished = (name: string) => setUnfinished((current) => current.filter((u) => u.name !== name));
  return { unfinished, finished };
}

/** A resumable upload of one file into the target, remembered (by its fingerprint) until it succeeds. */
function tusUpload(
  file: File,
  target: UploadTarget,
  chunkSize: number,
  events: Pick<tus.UploadOptions, 'onProgress' | 'onSuccess' | 'onError'>,
): tus.Upload {
  return new tus.Upload(file, {
    endpoint: '/uploads',
    chunkSize,
    retryDelays: RETRY_DELAYS,
    metadata: {
      cabinetId: target.cabinetId,
      ...(target.slotId ? { slotId: target.slotId } : {}),
      ...(target.itemId ? { itemId: target.itemId } : {}),
      ...(target.assignmentId ? { assignmentId: target.assignmentId } : {}),
      ...(target.replacesFileId ? { replacesFileId: target.replacesFileId } : {}),
      filename: file.name,
    },
    fingerprint: async (input) =>
      `${fingerprintPrefix(target)}${(input as File).name}:${(input as File).size}:${(input as File).lastModified}`,
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    ...events,
  });
}

type Options = { target: UploadTarget; chunkSize: number; onDone: (file: File) => void; fallbackError: string };

export function useUploadQueue({ target, chunkSize, onDone, fallbackError }: Options) {
  const [entries, setEntries] = useState<UploadEntry[]>([]);
  // The queue lives in a ref so that upload callbacks always see the current list.
  const queue = useRef<UploadEntry[]>([]);
  const change = (next: UploadEntry[]) => {
    queue.current = next;
    setEntries(next);
  };
  const update = (key: string, patch: Partial<UploadEntry>) =>
    change(queue.current.map((entry) => (entry.key === key ? { ...entry, ...patch } : entry)));

  const pump = () => {
    if (queue.current.some((entry) => entry.status === 'uploading')) return;
    const next = queue.current.find((entry) => entry.status === 'queued');
    if (next) void start(next);
  };
  const start = async (entry: UploadEntry) => {
    const meter = speedMeter();
    const upload = tusUpload(entry.file, target, chunkSize, {
      onProgress: (sent) => update(entry.key, { sent, speed: meter(sent), status: 'uploading' }),
      onSuccess() {
        update(entry.key, { status: 'done', sent: entry.file.size });
        onDone(entry.file);
        pump();
      },
      onError(error) {
        update(entry.key, { status: 'failed', error: errorMessage(error) || fallbackError });
        pump();
      },
    });
    update(entry.key, { upload, status: 'uploading' });
    const previous = await upload.findPreviousUploads();
    if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
    upload.start();
  };

  const add = (files: File[]) => {
    const added = files.map((file) => ({
      key: `${file.name}:${file.size}:${file.lastModified}:${Math.random()}`,
      file,
      status: 'queued' as const,
      sent: 0,
      speed: 0,
    }));
    change([...queue.current, ...added]);
    pump();
  };
  const pause = (entry: UploadEntry) => {
    void entry.upload?.abort(false);
    update(entry.key, { status: 'paused' });
    pump();
  };
  const resume = (entry: UploadEntry) => {
    if (entry.upload) {
      update(entry.key, { status: 'uploading', error: undefined });
      entry.upload.start();
    } else {
      update(entry.key, { status: 'queued' });
      pump();
    }
  };
  const cancel = (entry: UploadEntry) => {
    if (entry.upload && entry.status !== 'done') void entry.upload.abort(true).catch(() => undefined);
    change(queue.current.filter((e) => e.key !== entry.key));
    pump();
  };
  return { entries, add, pause, resume, cancel };
}
