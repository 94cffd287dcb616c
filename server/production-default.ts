// Imported first by the entry points: without NODE_ENV, React, React Router and other libraries
// run their development builds (slower, with warnings that print request paths). Kabinet's own
// default is production (server/config.ts); the libraries are told the same.
process.env.NODE_ENV ??= 'production';
