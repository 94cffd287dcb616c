// The first administrator of an installation without the demo: made from the command line by someone
// with access to the server (`npm run admin:create`), who gets a one-time link to set the password.
// A setup link printed in the web log was not chosen: logs travel to places a password must not,
// and whoever opened such a link first would own the installation (docs/decisions/019).
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { createSignInLink } from '../auth/sign-in-links.ts';
import { AppError } from '../errors.ts';
import { kindColumns } from '../common/import-kinds.ts';

export { activeAdminCount } from './admin-guard.ts';

/**
 * Makes (or finds) the person with this e-mail, gives them the admin role, and returns a sign-in link
 * token (null with `link: false`: nobody signs in with a password, the admin uses single sign-on).
 */
export async function createAdmin(
  db: Db,
  input: { email: string; fullName: string; link: boolean },
): Promise<{ userId: string; token: string | null; created: boolean }> {
  const email = kindColumns.people.email.parse(input.email.trim());
  if ('problem' in email) throw new AppError('invalid_input', 'import.problems.bad_email');
  const fullName = input.fullName.trim() || email.value.split('@')[0]!;
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('app_user').select('id').where('email', '=', email.value).executeTakeFirst();
    const userId = existing
      ? existing.id
      : (
          await trx
            .insertInto('app_user')
            .values({ email: email.value, full_name: fullName.slice(0, 200) })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
    await trx.updateTable('app_user').set({ disabled_at: null }).where('id', '=', userId).execute();
    await trx
      .insertInto('role_assignment')
      .values({ user_id: userId, role: 'admin' })
      .onConflict((oc) =>
        oc
          .expression(sql`user_id, role, coalesce(faculty_id, department_id, '00000000-0000-0000-0000-000000000000')`)
          .where('ended_at', 'is', null)
          .doNothing(),
      )
      .execute();
    await recordAudit(trx, {
      actorId: null,
      action: 'admin.create',
      objectType: 'app_user',
      objectId: userId,
      data: { via: 'command line', email: email.value },
    });
    const token = !input.link ? null : await createSignInLink(trx, { userId, createdBy: null, ip: null });
    return { userId, token, created: !existing };
  });
}
