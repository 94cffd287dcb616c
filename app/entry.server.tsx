// Server rendering: Remix's default Node entry (streamed to browsers, whole to bots), with one
// repair. React 18.3's renderToPipeableStream leaves a NUL byte in its output wherever a multi-byte
// character (all of Kyrgyz and Russian) does not fit at the end of its 2 KB buffer: it sends the
// whole buffer instead of the bytes written (fixed in React 19, facebook/react#26228). The bytes
// around such a gap are whole characters, so dropping the NUL bytes restores the page exactly;
// HTML text never carries a NUL of its own (React escapes nothing to it, browsers would show U+FFFD).
import { PassThrough, Transform } from 'node:stream';
import type { AppLoadContext, EntryContext, HandleErrorFunction } from '@remix-run/node';
import { createReadableStreamFromReadable } from '@remix-run/node';
import { RemixServer } from '@remix-run/react';
import { isbot } from 'isbot';
import { renderToPipeableStream } from 'react-dom/server';
import { en } from '../server/common/dictionaries/en.ts';
import { ky } from '../server/common/dictionaries/ky.ts';
import { ru } from '../server/common/dictionaries/ru.ts';
import { provideDictionary } from './dictionaries.ts';
import { NonceContext } from './nonce.ts';

// The server renders every language.
provideDictionary('ky', ky);
provideDictionary('ru', ru);
provideDictionary('en', en);

const ABORT_DELAY = 5_000;

/** Passes bytes through without the NUL bytes React 18.3 leaves at buffer boundaries. */
function withoutNulBytes(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, chunk.includes(0) ? chunk.filter((byte) => byte !== 0) : chunk);
    },
  });
}

/** A refusal (a 404, a 403 thrown as a Response) is an answer, not a failure: only failures are logged. */
const isAnswer = (error: unknown) =>
  error instanceof Response ||
  (typeof error === 'object' &&
    error !== null &&
    'status' in error &&
    'internal' in error &&
    typeof error.status === 'number' &&
    error.status < 500);

/** What the server log gets of an error in a loader or action: failures only, not refusals or hang-ups. */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted || isAnswer(error)) return;
  console.error(error);
};

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce ?? '';
  // Bots and SPA mode get the whole page at once; browsers get the shell first.
  const whole = isbot(request.headers.get('user-agent') ?? '') || remixContext.isSpaMode;
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const ready = () => {
      shellRendered = true;
      const body = new PassThrough();
      responseHeaders.set('Content-Type', 'text/html');
      resolve(
        new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }),
      );
      pipe(withoutNulBytes()).pipe(body);
    };
    const page = (
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>
    );
    const { pipe, abort } = renderToPipeableStream(page, {
      nonce,
      ...(whole ? { onAllReady: ready } : { onShellReady: ready }),
      onShellError: reject,
      onError(error: unknown) {
        responseStatusCode = 500;
        // Errors in the shell are logged by Remix itself; these came while streaming.
        if (shellRendered) console.error(error);
      },
    });
    setTimeout(abort, ABORT_DELAY);
  });
}
