// Single sign-on with the university's OpenID provider (openid-client): the authorization code flow
// with PKCE, state and nonce. A sign-in under way is a row found by the hash of a cookie only this
// browser holds, and is taken once: a callback from another browser, a second use of a code, or a
// forged state finds nothing. The person is found by the provider's subject (remembered at the
// first sign-in), else the registrar's id, else a verified e-mail; nobody is made up unless asked.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import * as client from 'openid-client';
import type { Db } from '../../db/client.ts';
import type { Locale } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { OidcConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { createSession } from './sessions.ts';

export const OIDC_COOKIE = 'kabinet_sso';
export const OIDC_START_PATH = '/auth/oidc/start';
export const OIDC_CALLBACK_PATH = '/auth/oidc/callback';
/** How long a person may spend at the provider (typing a password, a second factor). */
export const pendingTtlMs = 15 * 60 * 1000;
/** Sign-ins under way per address: a campus behind one NAT, not a script filling the table. */
const pendingPerAddress = 200;
/** After the provider could not be reached, when to try discovery again. */
const rediscoverAfterMs = 30 * 1000;

const hash = (value: string) => createHash('sha256').update(value).digest('hex');
const bindingShape = /^[A-Za-z0-9_-]{43}$/;
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

export type Oidc = {
  /** What the sign-in button names ("KNU ID"), or undefined for a translated "single sign-on". */
  displayName: string | undefined;
  /** Starts a sign-in: where to send the browser, and the cookie value that binds it. */
  start(db: Db, input: { redirectTo: string; ip: string | null; redirectUri: string }): Promise<{ authorizationUrl: string; binding: string }>;
  /** Finishes it from the provider's redirect: a new session for the person it names. */
  finish(db: Db, input: FinishInput): Promise<{ token: string; userId: string; redirectTo: string }>;
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

export function createOidc(config: OidcConfig, logger: Logger): Oidc {
  let discovered: { at: number; configuration: Promise<client.Configuration> } | undefined;

  // Discovery happens at first use and is kept: the web app starts even while the provider is down.
  function configuration(): Promise<client.Configuration> {
    if (!discovered) {
      const issuer = new URL(config.issuer);
      const configurationPromise = client.discovery(issuer, config.clientId, config.clientSecret, undefined, {
        execute: loopbackHosts.has(issuer.hostname) ? [client.allowInsecureRequests] : [],
        timeout: 10,
      });
      const attempt = { at: Date.now(), configuration: configurationPromise };
      discovered = attempt;
      configurationPromise.catch((error: unknown) => {
        logger.error('single sign-on: the provider could not be discovered', { issuer: config.issuer, error: describe(error) });
        setTimeout(() => {
          if (discovered === attempt) discovered = undefined;
        }, rediscoverAfterMs).unref();
      });
    }
    return discovered.configuration.catch(() => {
      throw new AppError('unavailable', 'sso.unavailable', { seconds: Math.ceil(rediscoverAfterMs / 1000) });
    });
  }

  return {
    displayName: config.displayName,

    async start(db, input) {
      const provider = await configuration();
      // Sign-ins nobody finished are forgotten here, at the next start.
      await db.deleteFrom('oidc_login').where('expires_at', '<', new Date()).execute();
      if (input.ip) {
        const { count } = await db
          .selectFrom('oidc_login')
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .where('ip', '=', input.ip)
          .executeTakeFirstOrThrow();
        if (Number(count) >= pendingPerAddress) throw new AppError('too_many_requests', 'login.throttled', { seconds: 60 });
      }
      const binding = randomBytes(32).toString('base64url');
      const state = client.randomState();
      const nonce = client.randomNonce();
      const codeVerifier = client.randomPKCECodeVerifier();
      await db
        .insertInto('oidc_login')
        .values({
          binding_hash: hash(binding),
          state,
          nonce,
          code_verifier: codeVerifier,
          redirect_to: input.redirectTo,
          ip: input.ip,
          expires_at: new Date(Date.now() + pendingTtlMs),
        })
        .execute();
      const authorizationUrl = client.buildAuthorizationUrl(provider, {
        redirect_uri: input.redirectUri,
        scope: config.scopes,
        state,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      });
      return { authorizationUrl: authorizationUrl.href, binding };
    },

    async finish(db, input) {
      const params = input.currentUrl.searchParams;
      // Taken at once, whatever follows: a sign-in is tried once.
      const pending =
        input.binding && bindingShape.test(input.binding)
          ? await db.deleteFrom('oidc_login').where('binding_hash', '=', hash(input.binding)).returningAll().executeTakeFirst()
          : undefined;
      if (params.get('error') === 'access_denied') throw new AppError('invalid_input', 'sso.cancelled');
      if (!pending || pending.expires_at.getTime() < Date.now()) throw new AppError('invalid_input', 'sso.expired');
      const provider = await configuration();
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(provider, input.currentUrl, {
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          pkceCodeVerifier: pending.code_verifier,
          idTokenExpected: true,
        });
      } catch (error) {
        // A wrong state, a used code, a token for another client, an expired one …: all refused alike.
        logger.warn('single sign-on refused', { error: describe(error), ip: input.ip });
        throw new AppError('invalid_input', 'sso.failed');
      }
      const claims = await claimsOf(provider, tokens, config, logger);
      const userId = await findPerson(db, config, provider.serverMetadata().issuer, claims, { ip: input.ip, locale: input.locale });
      if (input.locale) await db.updateTable('app_user').set({ locale: input.locale }).where('id', '=', userId).where('locale', '<>', input.locale).execute();
      const token = await createSession(db, { userId, ttlMs: input.sessionTtlMs, ip: input.ip, userAgent: input.userAgent });
      return { token, userId, redirectTo: pending.redirect_to };
    },
  };
}

type Claims = Record<string, unknown> & { sub: string };

/** The ID token's claims, completed from the userinfo endpoint when the ones we match on are not in it. */
async function claimsOf(
  provider: client.Configuration,
  tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>,
  config: OidcConfig,
  logger: Logger,
): Promise<Claims> {
  const idClaims = tokens.claims();
  if (!idClaims) throw new AppError('invalid_input', 'sso.failed');
  const wanted = [config.emailClaim, config.externalIdClaim, 'name'].filter((claim): claim is string => Boolean(claim));
  if (wanted.every((claim) => claim in idClaims) || !provider.serverMetadata().userinfo_endpoint) return idClaims as Claims;
  try {
    const info = await client.fetchUserInfo(provider, tokens.access_token, idClaims.sub);
    // The signed ID token wins where both say something.
    return { ...info, ...idClaims } as Claims;
  } catch (error) {
    logger.warn('single sign-on: userinfo failed', { error: describe(error) });
    return idClaims as Claims;
  }
}

const text = (value: unknown, max = 320): string | undefined => (typeof value === 'string' && value.trim() && value.length <= max ? value.trim() : undefined);

function displayNameOf(claims: Claims, email: string): string {
  const name = text(claims.name, 200) ?? [text(claims.given_name, 100), text(claims.family_name, 100)].filter(Boolean).join(' ');
  return name || email;
}

/** The person the claims name (see the top of this file); refuses with a message the person can act on. */
async function findPerson(db: Db, config: OidcConfig, issuer: string, claims: Claims, context: { ip: string | null; locale: Locale | null }): Promise<string> {
  const email = text(claims[config.emailClaim])?.toLowerCase();
  const emailVerified = config.trustEmail || claims.email_verified === true || claims.email_verified === 'true';
  const emailAllowed = (address: string) => config.emailDomains.length === 0 || config.emailDomains.includes(address.slice(address.lastIndexOf('@') + 1));
  const externalId = config.externalIdClaim ? text(claims[config.externalIdClaim], 100) : undefined;

  return db.transaction().execute(async (trx) => {
    const known = await trx
      .selectFrom('external_identity as i')
      .innerJoin('app_user as u', 'u.id', 'i.user_id')
      .select(['u.id', 'u.disabled_at'])
      .where('i.issuer', '=', issuer)
      .where('i.subject', '=', claims.sub)
      .executeTakeFirst();
    let person = known;
    let matchedBy = 'subject';
    if (!person && externalId) {
      person = await trx.selectFrom('app_user').select(['id', 'disabled_at']).where('external_id', '=', externalId).executeTakeFirst();
      matchedBy = 'external_id';
    }
    if (!person && email) {
      if (!emailVerified) throw new AppError('forbidden', 'sso.unverified', { email });
      if (!emailAllowed(email)) throw new AppError('forbidden', 'sso.domain', { email });
      person = await trx.selectFrom('app_user').select(['id', 'disabled_at']).where('email', '=', email).executeTakeFirst();
      matchedBy = 'email';
    }
    if (!person) {
      if (!email || !emailVerified || !config.createStudents) throw new AppError('forbidden', 'sso.unknown', { email: email ?? claims.sub.slice(0, 100) });
      // Asked for (OIDC_CREATE_STUDENTS): a student with no group yet, until an import places them.
      const created = await trx
        .insertInto('app_user')
        .values({ email, full_name: displayNameOf(claims, email), password_hash: null, external_id: externalId ?? null, ...(context.locale ? { locale: context.locale } : {}) })
        .onConflict((oc) => oc.doNothing())
        .returning(['id', 'disabled_at'])
        .executeTakeFirst();
      if (!created) throw new AppError('conflict', 'sso.failed');
      await recordAudit(trx, { actorId: created.id, action: 'sso.create_student', objectType: 'app_user', objectId: created.id, ip: context.ip, data: { issuer } });
      person = created;
      matchedBy = 'created';
    }
    if (person.disabled_at) throw new AppError('forbidden', 'sso.disabled');
    await trx
      .insertInto('external_identity')
      .values({ issuer, subject: claims.sub, user_id: person.id })
      .onConflict((oc) => oc.columns(['issuer', 'subject']).doUpdateSet({ last_used_at: sql`now()` }))
      .execute();
    if (matchedBy !== 'subject') {
      await recordAudit(trx, { actorId: person.id, action: 'sso.link', objectType: 'app_user', objectId: person.id, ip: context.ip, data: { issuer, matchedBy } });
    }
    return person.id;
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = 'code' in error && typeof error.code === 'string' ? `${error.code}: ` : '';
  return `${code}${error.message}`;
}
