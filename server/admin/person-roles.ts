// The admin's changes to a person's roles: adding one with its scope, and ending one (kept, with
// its end). Audited; nobody can take away the last active admin (admin-guard.ts).
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Actor } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import { activeAdminCount, lockAdminRoles } from './admin-guard.ts';
import { importRoles } from '../common/import-kinds.ts';
import { requirePerson } from './people.ts';

/** Refuses a change after which no active person holds the admin role (after `lockAdminRoles`, inside the change's transaction). */
export async function requireAnAdminLeft(trx: Transaction<Database>): Promise<void> {
  if ((await activeAdminCount(trx)) === 0) throw new AppError('conflict', 'admin.people.lastAdmin');
}

export type RoleInput = { role: string; scopeId: string };

export async function addRole(db: Db, actor: Actor, personId: string, input: RoleInput): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  await requirePerson(db, personId);
  const role = importRoles.find((each) => each === input.role);
  if (!role) throw new AppError('invalid_input', 'admin.people.badRole');
  const university = role === 'admin' || role === 'vice_rector';
  if (!university && !isUuid(input.scopeId)) throw new AppError('invalid_input', 'admin.people.scopeRequired');
  const scope = university
    ? { faculty_id: null, department_id: null }
    : role === 'dean'
      ? { faculty_id: input.scopeId, department_id: null }
      : { faculty_id: null, department_id: input.scopeId };
  await db.transaction().execute(async (trx) => {
    if (
      scope.faculty_id &&
      !(await trx
        .selectFrom('faculty')
        .select('id')
        .where('id', '=', scope.faculty_id)
        .where('archived_at', 'is', null)
        .executeTakeFirst())
    ) {
      throw new AppError('invalid_input', 'admin.people.scopeRequired');
    }
    if (
      scope.department_id &&
      !(await trx
        .selectFrom('department')
        .select('id')
        .where('id', '=', scope.department_id)
        .where('archived_at', 'is', null)
        .executeTakeFirst())
    ) {
      throw new AppError('invalid_input', 'admin.people.scopeRequired');
    }
    const inserted = await trx
      .insertInto('role_assignment')
      .values({ user_id: personId, role, ...scope })
      .onConflict((oc) =>
        oc
          .expression(sql`user_id, role, coalesce(faculty_id, department_id, '00000000-0000-0000-0000-000000000000')`)
          .where('ended_at', 'is', null)
          .doNothing(),
      )
      .returning('id')
      .executeTakeFirst();
    if (inserted)
      await recordAudit(trx, {
        actorId: actor.user.id,
        action: 'role.add',
        objectType: 'app_user',
        objectId: personId,
        ip: actor.ip,
        data: { role, ...scope },
      });
  });
}

export async function endRole(db: Db, actor: Actor, assignmentId: string): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  if (!isUuid(assignmentId)) throw new AppError('not_found');
  await db.transaction().execute(async (trx) => {
    await lockAdminRoles(trx);
    const ended = await trx
      .updateTable('role_assignment')
      .set({ ended_at: new Date() })
      .where('id', '=', assignmentId)
      .where('ended_at', 'is', null)
      .returning(['user_id', 'role'])
      .executeTakeFirst();
    if (!ended) throw new AppError('not_found');
    await requireAnAdminLeft(trx);
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'role.end',
      objectType: 'app_user',
      objectId: ended.user_id,
      ip: actor.ip,
      data: { role: ended.role, assignmentId },
    });
  });
}
