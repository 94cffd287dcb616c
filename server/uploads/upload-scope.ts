// An upload in flight with its owner and its cabinet's scope: asked on every PATCH.
import type { Kysely } from 'kysely';
import { executePrepared } from '../../db/client.ts';
import type { Database } from '../../db/schema.ts';
import type { CabinetScope } from '../auth/permissions.ts';
import { cabinetScopeQuery, scopeOf } from '../cabinets/scope.ts';

/** An upload in flight with its owner and the scope of its cabinet, in one query. */
export async function uploadScope(
  db: Kysely<Database>,
  uploadId: string,
): Promise<{ ownerId: string; lastActivityAt: Date; cabinet: CabinetScope; forSubmission: boolean } | null> {
  // Asked on every PATCH of an upload: prepared, so the database plans it once per connection.
  const [row] = await executePrepared(
    db,
    cabinetScopeQuery(db)
      .innerJoin('upload', 'upload.cabinet_id', 'cabinet.id')
      .select([
        'upload.user_id as ownerId',
        'upload.last_activity_at as lastActivityAt',
        'upload.assignment_id as assignmentId',
      ])
      .where('upload.id', '=', uploadId),
  );
  if (!row) return null;
  return {
    ownerId: row.ownerId,
    lastActivityAt: row.lastActivityAt,
    cabinet: scopeOf(row),
    forSubmission: row.assignmentId !== null,
  };
}
