// How a person signs in, as the admin changes it: disabling (never the last active admin; their
// sessions and sign-in links end at once), enabling, unlinking their single sign-on account, and
// one-time sign-in links. Audited.
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Actor } from '../auth/permissions.ts';
import { passwordAllowed } from '../auth/password-login.ts';
import { revokeSessionsOf } from '../auth/sessions.ts';
import { createSignInLink, endSignInLinks } from '../auth/sign-in-links.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import type { PasswordLogin } from '../config.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { lockAdminRoles } from './admin-guard.ts';
import { requireAnAdminLeft } from './person-roles.ts';

export async function setDisabled(db: Db, actor: Actor, personId: string, disabled: boolean): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  if (!isUuid(personId)) throw new AppError('not_found');
  await db.transaction().execute(async (trx) => {
    await lockAdminRoles(trx);
    const updated = await trx
      .updateTable('app_user')
      .set({ disabled_at: disabled ? new Date() : null, updated_at: new Date() })
      .where('id', '=', personId)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw new AppError('not_found');
    if (disabled) {
      await requireAnAdminLeft(trx);
      await revokeSessionsOf(trx, personId);
      await endSignInLinks(trx, personId);
    }
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: disabled ? 'person.disable' : 'person.enable',
      objectType: 'app_user',
      objectId: personId,
      ip: actor.ip,
    });
  });
}

/**
 * Forgets which provider account a person signs in with (the address went to someone new, or the
 * account was made anew): their next single sign-on links again by registrar id or e-mail.
 */
export async function unlinkIdentity(
  db: Db,
  actor: Actor,
  personId: string,
  identity: { issuer: string; subject: string },
): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  if (!isUuid(personId)) throw new AppError('not_found');
  await db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('external_identity')
      .where('user_id', '=', personId)
      .where('issuer', '=', identity.issuer)
      .where('subject', '=', identity.subject)
      .returning('subject')
      .executeTakeFirst();
    if (!removed) throw new AppError('not_found');
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'sso.unlink',
      objectType: 'app_user',
      objectId: personId,
      ip: actor.ip,
      data: identity,
    });
  });
}

/**
 * A one-time link for the person to set their password. With e-mail configured (`mailer`), a job
 * makes and e-mails it (the token then exists only in the e-mail) and null is returned; otherwise
 * the token is returned for the admin to hand over.
 */
export async function issueSignInLink(
  db: Db,
  actor: Actor,
  personId: string,
  options: { mailer: JobQueue | null; policy: PasswordLogin },
): Promise<string | null> {
  const { mailer, policy } = options;
  requirePermission(actor.user, 'admin.manage', {});
  if (!isUuid(personId)) throw new AppError('not_found');
  const person = await db
    .selectFrom('app_user')
    .select(['id', 'disabled_at'])
    .where('id', '=', personId)
    .executeTakeFirst();
  if (!person) throw new AppError('not_found');
  if (person.disabled_at) throw new AppError('conflict', 'admin.people.disabledNoLink');
  // A password they could not use: they sign in through the university's provider.
  if (!(await passwordAllowed(db, personId, policy))) throw new AppError('conflict', 'admin.people.ssoNoLink');
  if (mailer) {
    await db.transaction().execute(async (trx) => {
      await recordAudit(trx, {
        actorId: actor.user.id,
        action: 'sign_in_link.email',
        objectType: 'app_user',
        objectId: personId,
        ip: actor.ip,
      });
      await mailer.enqueue(trx, 'send-sign-in-link', { userId: personId, createdBy: actor.user.id });
    });
    return null;
  }
  return createSignInLink(db, { userId: personId, createdBy: actor.user.id, ip: actor.ip });
}
