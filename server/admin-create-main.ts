// `npm run admin:create -- --email you@university.kg [--name "Full Name"]`: the first (or another)
// administrator, from the server's command line. Prints a one-time link (valid 72 hours) to set the
// password; the database is the configured one or the embedded one under .data/ (running or not).
import { parseArgs } from 'node:util';
import { createAdmin } from './admin/first-admin.ts';
import { signInUrl } from './auth/sign-in-links.ts';
import { loadConfig } from './config.ts';
import { isAppError } from './errors.ts';
import { startServices } from './services.ts';

const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string', default: '' } } });
if (!values.email) {
  process.stderr.write('usage: npm run admin:create -- --email you@university.kg [--name "Full Name"]\n');
  process.exit(2);
}
const config = loadConfig(process.env);
const services = await startServices({ ...config, logLevel: 'warn' }, { role: 'tool' });
try {
  const { token, created } = await createAdmin(services.db, {
    email: values.email,
    fullName: values.name ?? '',
    link: services.passwords.policy !== 'none',
  });
  const origin = config.publicOrigin ?? `http://localhost:${config.port}`;
  process.stdout.write(`${created ? 'Administrator created' : 'Administrator role given'}: ${values.email}\n`);
  if (token)
    process.stdout.write(
      `Open this link within 72 hours to set the password (it works once):\n${signInUrl(origin, token)}\n`,
    );
  else
    process.stdout.write(
      `Passwords are off (PASSWORD_LOGIN=none): sign in at ${origin}/login through single sign-on as ${values.email}.\n`,
    );
} catch (error) {
  if (!isAppError(error)) throw error;
  process.stderr.write(`Not a valid e-mail address: ${values.email}\n`);
  process.exitCode = 2;
} finally {
  await services.close();
}
