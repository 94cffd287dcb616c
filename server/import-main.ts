// `npm run import -- <file|folder> [--term CODE] [--apply] [--sync] [--valid-only] [--invite]`:
// imports the registrar's files into Kabinet's database (the configured one, or the embedded one
// under .data/). Without --apply it only previews; --invite e-mails the people it adds a sign-in
// link (needs SMTP_URL; the web process's worker sends them). Problems go to stderr; the last line on stdout is the summary:
// {"import":"preview|applied|refused","created":{…},"updated":{…},"unchanged":{…},"disabled":{…},"errors":N,"invited":N}
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runImport } from './admin/import/run-import.ts';
import { summaryLine } from './admin/import/import-report.ts';
import { loadConfig } from './config.ts';
import { translatorFor } from './i18n/i18n.ts';
import { startServices } from './services.ts';
import { problemText } from './admin/import/problem-text.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    term: { type: 'string' },
    apply: { type: 'boolean', default: false },
    sync: { type: 'boolean', default: false },
    'valid-only': { type: 'boolean', default: false },
    invite: { type: 'boolean', default: false },
  },
});
if (positionals.length !== 1) {
  process.stderr.write(
    'usage: npm run import -- <file.xlsx|file.csv|files.zip|folder> [--term CODE] [--apply] [--sync] [--valid-only] [--invite]\n',
  );
  process.exit(2);
}
const filePath = path.resolve(positionals[0]!);
const config = loadConfig(process.env);
if (values.invite && !config.mail) {
  process.stderr.write(
    '--invite e-mails sign-in links: set SMTP_URL (and PUBLIC_ORIGIN, the address the links point at)\n',
  );
  process.exit(2);
}
const services = await startServices({ ...config, logLevel: 'warn' }, { role: 'tool' });
try {
  const report = await runImport(services.db, {
    filePath,
    fileName: path.basename(filePath),
    options: { termCode: values.term ?? null, sync: values.sync ?? false },
    apply: values.apply ?? false,
    applyValidOnly: values['valid-only'] ?? false,
    actor: { id: null, ip: null },
    invite: values.invite ? { queue: services.queue, policy: services.passwords.policy } : undefined,
  });
  const t = translatorFor('en');
  for (const problem of report.problems) process.stderr.write(`${problemText(t, problem)}\n`);
  if (report.problemCount > report.problems.length)
    process.stderr.write(`… and ${report.problemCount - report.problems.length} more problems\n`);
  process.stdout.write(`${summaryLine(report)}\n`);
  process.exitCode = report.outcome === 'refused' ? 1 : 0;
} finally {
  await services.close();
}
