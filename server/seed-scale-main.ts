// `npm run seed:scale`: adds the large university (db/seed-scale.ts) to Kabinet's database, the
// configured one or the embedded one under .data/, in the running term. `-- --double` adds the
// second half too (twice the data). Running it again changes nothing.
import { loadConfig } from './config.ts';
import { currentTerm } from './cabinets/term.ts';
import { startServices } from './services.ts';
import { seedScale } from '../db/seed-scale.ts';

const services = await startServices(loadConfig(process.env), { role: 'web' });
try {
  const term = await currentTerm(services.db);
  if (!term) throw new Error('No running term: start Kabinet once (it seeds the demo term) or add one.');
  for (const part of process.argv.includes('--double') ? ([1, 2] as const) : ([1] as const)) {
    const { seconds, skipped } = await seedScale(services.db, { termId: term.id, part });
    console.log(skipped ? `part ${part}: already there` : `part ${part}: generated in ${seconds.toFixed(0)} s`);
  }
} finally {
  await services.close();
}
