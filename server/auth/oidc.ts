// Single sign-on with the university's OpenID provider (openid-client): the authorization code flow
// with PKCE, state and nonce, the ID token's signature checked against the provider's keys. A
// sign-in under way is a row found by the hash of a cookie only this browser holds, and is taken
// once: a callback from another browser, a second use of a callback, or a forged state finds
// nothing. Who the claims name is sso-people.ts's business.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import * as client from 'openid-client';
import type { Db } from '../../db/client.ts';
import type { Locale } from '../../db/schema.ts';
import { isLoopbackHost, type OidcConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { createSession } from './sessions.ts';
import { findPerson, type Claims } from './sso-people.ts';
import { ssoPendingTtlMs } from './sso-cookie.ts';

/** Sign-ins under way per address (an IPv6 /64 counts as one): beyond it, its oldest are forgotten. */
const pendingPerAddress = 200;
/** Sign-ins under way in all: beyond it, the oldest are forgotten (an attacker with many addresses). */
const pendingInAll = 50_000;
/** After the provider could not be reached, when to try discovery again. */
const rediscoverAfterMs = 30 * 1000;

const hash = (value: string) => createHash('sha256').update(value).digest('hex');
const bindingShape = /^[A-Za-z0-9_-]{43}$/;

export type Oidc = {
  /** What the sign-in button names ("KNU ID"), or undefined for a translated "single sign-on". */
  displayName: string | undefined;
  /** Starts a sign-in: where to send the browser, and the cookie value that binds it. */
  start(
    db: Db,
    input: { redirectTo: string; ip: string | null; redirectUri: string },
  ): Promise<{ authorizationUrl: string; binding: string }>;
  /** Finishes it from the provider's redirect: a new session for the person it names. */
  finish(db: Db, input: FinishInput): Promise<{ token: string; redirectTo: string }>;
};

export type FinishInput = {
  /** The cookie set at the start (null when the browser has none). */
  binding: string | null;
  /** The callback as the provider called it, on the public origin. */
  currentUrl: URL;
  ip: string | null;
  userAgent: string | null;
  locale: Locale | null;
  sessionTtlMs: number;
};

type Tokens = Awaited<ReturnType<typeof client.authorizationCodeGrant>>;

export function createOidc(config: OidcConfig, logger: Logger): Oidc {
  const provider = discoverer(config, logger);
  // At once, so that a wrong issuer shows in the start log rather than at someone's first sign-in.
  void provider().catch(() => undefined);
  return {
    displayName: config.displayName,
    start: async (db, input) => startSignIn(db, await provider(), config, input),
    async finish(db, input) {
      const params = input.currentUrl.searchParams;
      // Taken at once, whatever follows: a sign-in is tried once.
      const pending =
        input.binding && bindingShape.test(input.binding)
          ? await db
              .deleteFrom('oidc_login')
              .where('binding_hash', '=', hash(input.binding))
              .returningAll()
              .executeTakeFirst()
          : undefined;
      if (params.get('error') === 'access_denied') throw new AppError('invalid_input', 'sso.cancelled');
      if (!pending || pending.expires_at.getTime() < Date.now()) throw new AppError('invalid_input', 'sso.expired');
      const configuration = await provider();
      let tokens: Tokens;
      try {
        tokens = await client.authorizationCodeGrant(configuration, input.currentUrl, {
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          pkceCodeVerifier: pending.code_verifier,
          idTokenExpected: true,
        });
      } catch (error) {
        throw refusal(error, logger, input.ip);
      }
      const claims = await claimsOf(configuration, tokens, config, logger);
      const userId = await findPerson(db, config, claims, { ip: input.ip, locale: input.locale });
      if (input.locale)
        await db
          .updateTable('app_user')
          .set({ locale: input.locale })
          .where('id', '=', userId)
          .where('locale', '<>', input.locale)
          .execute();
      const token = await createSession(db, {
        userId,
        ttlMs: input.sessionTtlMs,
        ip: input.ip,
        userAgent: input.userAgent,
      });
      return { token, redirectTo: pending.redirect_to };
    },
  };
}

/** The provider's configuration, discovered once and kept; after a failure, tried again in 30 seconds. */
function discoverer(config: OidcConfig, logger: Logger): () => Promise<client.Configuration> {
  let discovered: Promise<client.Configuration> | undefined;
  return () => {
    if (!discovered) {
      const issuer = new URL(config.issuer);
      const attempt = client.discovery(issuer, config.clientId, config.clientSecret, undefined, {
        // The ID token's signature too (openid-client trusts the TLS of the token endpoint otherwise).
        execute: isLoopbackHost(issuer.hostname)
          ? [client.allowInsecureRequests, client.enableNonRepudiationChecks]
          : [client.enableNonRepudiationChecks],
        timeout: 10,
      });
      discovered = attempt;
      attempt.catch((error: unknown) => {
        logger.error('single sign-on: the provider could not be discovered (check OIDC_ISSUER)', {
          issuer: config.issuer,
          error: describe(error),
        });
        setTimeout(() => {
          if (discovered === attempt) discovered = undefined;
        }, rediscoverAfterMs).unref();
      });
    }
    return discovered.catch(() => {
      throw new AppError('unavailable', 'sso.unavailable', { seconds: rediscoverAfterMs / 1000 });
    });
  };
}

async function startSignIn(
  db: Db,
  configuration: client.Configuration,
  config: OidcConfig,
  input: Parameters<Oidc['start']>[1],
) {
  const binding = randomBytes(32).toString('base64url');
  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  const address = addressKey(input.ip);
  await db.transaction().execute(async (trx) => {
    // Sign-ins nobody finished are forgotten here; so are an address's (and everyone's) oldest
    // beyond the caps: a flood from behind the campus NAT cannot stop the next person starting.
    await trx.deleteFrom('oidc_login').where('expires_at', '<', new Date()).execute();
    await trx
      .insertInto('oidc_login')
      .values({
        binding_hash: hash(binding),
        state,
        nonce,
        code_verifier: codeVerifier,
        redirect_to: input.redirectTo,
        ip: address,
        expires_at: new Date(Date.now() + ssoPendingTtlMs),
      })
      .execute();
    await sql`
      delete from oidc_login where binding_hash in (
        (select binding_hash from oidc_login where ip is not distinct from ${address} order by expires_at desc offset ${pendingPerAddress})
        union all
        (select binding_hash from oidc_login order by expires_at desc offset ${pendingInAll}))
    `.execute(trx);
  });
  const authorizationUrl = client.buildAuthorizationUrl(configuration, {
    redirect_uri: input.redirectUri,
    scope: config.scopes,
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  return { authorizationUrl: authorizationUrl.href, binding };
}

/** An address as one party: IPv4 whole, IPv6 by its /64 (one household or phone has them all). */
function addressKey(ip: string | null): string | null {
  if (!ip || !ip.includes(':') || ip.startsWith('::ffff:')) return ip;
  const groups = ip.split('::');
  const head = groups[0] ? groups[0].split(':') : [];
  const tail = groups[1] !== undefined ? (groups[1] ? groups[1].split(':') : []) : [];
  const full = [...head, ...Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail];
  return `${full.slice(0, 4).join(':')}::/64`;
}

/** The ID token's claims, completed from the userinfo endpoint when the ones we match on are not in it. */
async function claimsOf(
  configuration: client.Configuration,
  tokens: Tokens,
  config: OidcConfig,
  logger: Logger,
): Promise<Claims> {
  const idClaims = tokens.claims();
  if (!idClaims) throw new AppError('invalid_input', 'sso.failed');
  const wanted = [config.emailClaim, config.externalIdClaim, 'name'].filter((claim): claim is string => Boolean(claim));
  if (wanted.every((claim) => claim in idClaims) || !configuration.serverMetadata().userinfo_endpoint)
    return idClaims as Claims;
  try {
    const info = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
    // The signed ID token wins where both say something.
    return { ...info, ...idClaims } as Claims;
  } catch (error) {
    // Without them the person would be told they are unknown: say the provider is the trouble.
    logger.warn('single sign-on: userinfo failed', { error: describe(error) });
    throw new AppError('unavailable', 'sso.unavailable', { seconds: rediscoverAfterMs / 1000 });
  }
}

/**
 * What a failed code exchange tells the person: the provider unreachable or failing (503, try
 * again), or an answer refused — a wrong state, a used code, a token for another client or past its
 * time, a bad signature (400, start again).
 */
function refusal(error: unknown, logger: Logger, ip: string | null): AppError {
  const unreachable =
    (error instanceof TypeError && error.message === 'fetch failed') ||
    (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) ||
    (error instanceof client.ResponseBodyError && error.status >= 500) ||
    // A gateway's error page instead of the token endpoint's JSON.
    (error instanceof client.ClientError &&
      (error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || error.code === 'OAUTH_RESPONSE_IS_NOT_JSON'));
  logger.warn(unreachable ? 'single sign-on: the provider failed' : 'single sign-on refused', {
    error: describe(error),
    ip,
  });
  return unreachable
    ? new AppError('unavailable', 'sso.unavailable', { seconds: rediscoverAfterMs / 1000 })
    : new AppError('invalid_input', 'sso.failed');
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = 'code' in error && typeof error.code === 'string' ? `${error.code}: ` : '';
  return `${code}${error.message}`;
}
