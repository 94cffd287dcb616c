// A real OpenID provider on loopback (oidc-provider) for single sign-on tests. Its login page signs
// in, at once, whoever the test named with `signInAs` (or cancels when nobody is named), and the
// test may `tamper` with the ID token the token endpoint returns: re-signed with the provider's own
// key, so that only the changed claim is wrong (or with a key of nobody's, so that the signature is).
import { generateKeyPair, exportJWK, decodeJwt, SignJWT, type JWTPayload } from 'jose';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export type AccountClaims = { email?: string; email_verified?: boolean; name?: string; employee_id?: string };

export type TestProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The provider's people, by subject. */
  accounts: Map<string, AccountClaims>;
  /** Who the next visit to the login page signs in as; null: the person cancels. */
  signInAs(subject: string | null): void;
  /** Changes the next ID tokens' claims (null: leave them alone), signed by the provider's key or a stranger's. */
  tamper(change: ((claims: JWTPayload) => JWTPayload) | null, signer?: 'provider' | 'stranger'): void;
  /** Registers the relying parties' callback addresses (before their first sign-in). */
  allowRedirects(uris: string[]): void;
  close(): Promise<void>;
};

type Stored = Record<string, unknown> & { uid?: string; userCode?: string; grantId?: string; consumed?: number };

/** The provider's storage for one test run: a map per model (the provider's own one warns on every start). */
function memoryAdapter() {
  const all = new Map<string, Map<string, Stored>>();
  const rowsOf = (name: string) => all.get(name) ?? all.set(name, new Map()).get(name)!;
  class TestAdapter {
    private readonly rows: Map<string, Stored>;
    constructor(name: string) {
      this.rows = rowsOf(name);
    }
    async upsert(id: string, payload: Stored) {
      this.rows.set(id, payload);
    }
    async find(id: string) {
      return this.rows.get(id);
    }
    async findByUid(uid: string) {
      return [...this.rows.values()].find((row) => row.uid === uid);
    }
    async findByUserCode(userCode: string) {
      return [...this.rows.values()].find((row) => row.userCode === userCode);
    }
    async consume(id: string) {
      const row = this.rows.get(id);
      if (row) row.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      this.rows.delete(id);
    }
    async revokeByGrantId(grantId: string) {
      for (const [id, row] of this.rows) if (row.grantId === grantId) this.rows.delete(id);
    }
  }
  return { Adapter: TestAdapter, put: (name: string, id: string, payload: Stored) => rowsOf(name).set(id, payload) };
}

export async function startTestProvider(): Promise<TestProvider> {
  const accounts = new Map<string, AccountClaims>();
  let next: string | null = null;
  let change: ((claims: JWTPayload) => JWTPayload) | null = null;
  let signedBy: 'provider' | 'stranger' = 'provider';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const stranger = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const clientId = 'kabinet';
  const clientSecret = 'kabinet-test-secret-0123456789';
  const storage = memoryAdapter();

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Kabinet's client is not in the configuration but in the storage, written once its callback
  // address is known (`allowRedirects`): the provider answers discovery from the start.
  const provider = new Provider(issuer, {
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], employee: ['employee_id'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    adapter: storage.Adapter,
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    async findAccount(_ctx, sub) {
      const claims = accounts.get(sub);
      return claims ? { accountId: sub, claims: async () => ({ sub, ...claims }) } : undefined;
    },
  });
  // A token response whose ID token the test wants changed: same header, other claims or another key.
  provider.use(async (ctx, nextMiddleware) => {
    await nextMiddleware();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path !== '/token' || !change || !body?.id_token) return;
    const claims = change(decodeJwt(body.id_token));
    ctx.body = {
      ...body,
      id_token: await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
        .sign(signedBy === 'provider' ? privateKey : stranger),
    };
  });
  const callback = provider.callback();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url?.startsWith('/interaction/'))
      void interact(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
    else void callback(req, res);
  });

  // The login and consent pages, done at once for the person the test named.
  async function interact(req: http.IncomingMessage, res: http.ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    const subject = next;
    if (!subject) {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The person cancelled.' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const grant = new provider.Grant({ accountId: subject, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: subject }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    signInAs(subject) {
      next = subject;
    },
    tamper(nextChange, signer = 'provider') {
      change = nextChange;
      signedBy = signer;
    },
    allowRedirects(uris) {
      storage.put('Client', clientId, {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: uris,
        token_endpoint_auth_method: 'client_secret_post',
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
