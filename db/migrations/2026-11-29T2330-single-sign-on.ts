// Single sign-on (OpenID Connect): a sign-in under way, kept until the provider sends the browser
// back, and the link between a provider's subject and a person. Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- One row per sign-in started: found by the hash of the browser's cookie, taken once.
    create table oidc_login (
      binding_hash text primary key,
      state text not null,
      nonce text not null,
      code_verifier text not null,
      redirect_to text not null,
      ip text,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    );
    create index oidc_login_expires_idx on oidc_login (expires_at);
    create index oidc_login_ip_idx on oidc_login (ip, created_at);

    -- The provider's subject of a person, remembered at their first sign-in: later sign-ins find
    -- them even when the e-mail changes on either side.
    create table external_identity (
      issuer text not null,
      subject text not null,
      user_id uuid not null references app_user (id),
      created_at timestamptz not null default now(),
      last_used_at timestamptz not null default now(),
      primary key (issuer, subject)
    );
    create index external_identity_user_idx on external_identity (user_id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table external_identity, oidc_login`.execute(db);
}
