// Each submitted file's CRC-32, computed when it arrives (beside its sha256), so that the "download
// all" zip is written with known sizes and checksums. Null for files from before (computed when
// first needed). Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table submission_file add column crc32 bigint check (crc32 between 0 and 4294967295)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table submission_file drop column crc32`.execute(db);
}
