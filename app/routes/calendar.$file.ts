// GET /calendar/<token>.ics: a person's private calendar feed (server/notices/calendar.ts), read by
// phones' calendars without a session; the token is the key. An unknown or revoked one is "not found".
import type { LoaderFunctionArgs } from '@remix-run/node';
import { calendarFeed } from '../../server/notices/calendar.ts';
import { publicOriginOf } from '../guards.server.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const token = /^(.+)\.ics$/.exec(params.file ?? '')?.[1] ?? '';
  const text = await calendarFeed(context.services.db, token, publicOriginOf(request, context));
  if (text === null) return new Response('Not found', { status: 404, headers: { 'Cache-Control': 'no-store' } });
  return new Response(text, {
    headers: {
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Disposition': 'inline; filename="kabinet.ics"',
      // A calendar asks again every hour or so; nobody between it and us keeps a copy.
      'Cache-Control': 'private, max-age=900',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    },
  });
}
