// Appends to the audit log: who did what to which object, when, from where.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

export type AuditEntry = {
  actorId: string | null;
  action: string;
  objectType: string;
  objectId: string;
  ip?: string | null;
  data?: Record<string, unknown>;
};

export async function recordAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_event')
    .values({
      actor_id: entry.actorId,
      action: entry.action,
      object_type: entry.objectType,
      object_id: entry.objectId,
      ip: entry.ip ?? null,
      data: JSON.stringify(entry.data ?? {}),
    })
    .execute();
}
