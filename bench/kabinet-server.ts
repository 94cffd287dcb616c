// Benchmark helper process: Kabinet's real web app (tus + Postgres + local media) with an open demo cabinet.
import fs from 'node:fs/promises';
import path from 'node:path';
import { createSession } from '../server/auth/sessions.ts';
import { currentTerm, listTeaching, openCabinet } from '../server/cabinets/cabinets.ts';
import { findSessionUser } from '../server/auth/sessions.ts';
import { loadConfig } from '../server/config.ts';
import { createWebApp } from '../server/http/web-app.ts';
import { startServices } from '../server/services.ts';

const dataDir = process.argv[2]!;
const pgPort = process.argv[3]!;
await fs.mkdir(dataDir, { recursive: true });
const config = loadConfig({ ...process.env, NODE_ENV: 'production', DATA_DIR: dataDir, EMBEDDED_PG_PORT: pgPort, LOG_LEVEL: 'warn', RUN_WORKER: 'false' });
const services = await startServices(config, { role: 'web' });
const web = await createWebApp(services, { remix: 'none' });
const server = web.app.listen(0, '127.0.0.1', async () => {
  const { db } = services;
  const instructor = await db.selectFrom('app_user').select('id').where('email', '=', 'instructor@demo.kabinet.kg').executeTakeFirstOrThrow();
  const token = await createSession(db, { userId: instructor.id, ttlMs: 3600_000, ip: null, userAgent: 'bench' });
  const user = (await findSessionUser(db, token))!;
  const term = (await currentTerm(db))!;
  const row = (await listTeaching(db, user, term.id)).find((r) => r.subjectCode === 'MATH-101')!;
  const cabinetId = await openCabinet(db, user, row.teachingAssignmentId);
  const slots = await db.selectFrom('slot').select('id').where('cabinet_id', '=', cabinetId).where('kind', '=', 'lecture_video').execute();
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, cookie: `kabinet_session=${token}`, cabinetId, slotIds: slots.map((s) => s.id), mediaDir: path.resolve(config.mediaDir) })}\n`);
});
server.requestTimeout = 0;
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void web.close().then(() => services.close()).then(() => process.exit(0));
});
