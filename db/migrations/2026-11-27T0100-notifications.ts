// In-app notifications: a head's reminder to an instructor about overdue plan slots, shown on the
// instructor's home page until read. Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table notification (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references app_user (id),
      kind text not null check (kind in ('overdue_reminder')),
      -- What the message is about, as it stood when sent (the page translates it).
      data jsonb not null,
      created_by uuid not null references app_user (id),
      created_at timestamptz not null default now(),
      read_at timestamptz
    );
    create index notification_unread_idx on notification (user_id, created_at) where read_at is null;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table notification`.execute(db);
}
