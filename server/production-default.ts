// Imported first by the entry points: without NODE_ENV, React, React Router and other libraries
// run their development builds (slower, with warnings that print request paths). Kabinet's own
// default is production (server/config.ts); the libraries are told the same. What an operator did
// not say stays unsaid for Kabinet: a start with nothing configured still seeds the demo (the
// quick start), which `NODE_ENV=production` set by the operator turns off.
if (process.env.NODE_ENV === undefined) {
  process.env.NODE_ENV = 'production';
  process.env.SEED_DEMO ??= 'true';
}
