// Raw tus protocol requests for tests that need to send what a well-behaved client never would.
export function tusMetadata(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}

export async function tusCreate(
  baseUrl: string,
  options: {
    cookie?: string;
    length?: string | null;
    metadata?: Record<string, string>;
    headers?: Record<string, string>;
  },
): Promise<Response> {
  const headers: Record<string, string> = { 'Tus-Resumable': '1.0.0', ...options.headers };
  if (options.cookie) headers.Cookie = options.cookie;
  if (options.length !== null) headers['Upload-Length'] = options.length ?? '1000';
  if (options.metadata) headers['Upload-Metadata'] = tusMetadata(options.metadata);
  return fetch(`${baseUrl}/uploads`, { method: 'POST', headers });
}

export async function tusPatch(
  url: string,
  body: Buffer,
  options: { cookie?: string; offset?: number },
): Promise<Response> {
  return fetch(url, {
    method: 'PATCH',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Content-Type': 'application/offset+octet-stream',
      'Upload-Offset': String(options.offset ?? 0),
      ...(options.cookie ? { Cookie: options.cookie } : {}),
    },
    body: new Uint8Array(body),
  });
}

/** Creates an upload and sends all of `body` in one PATCH; returns the final response and the upload URL. */
export async function tusUploadWhole(
  baseUrl: string,
  body: Buffer,
  options: { cookie: string; metadata: Record<string, string> },
): Promise<{ create: Response; finish: Response | null; url: string | null }> {
  const create = await tusCreate(baseUrl, {
    cookie: options.cookie,
    length: String(body.length),
    metadata: options.metadata,
  });
  const location = create.headers.get('location');
  if (create.status !== 201 || !location) return { create, finish: null, url: null };
  const url = new URL(location, baseUrl).href;
  const finish = await tusPatch(url, body, { cookie: options.cookie });
  return { create, finish, url };
}
