// Loaded with `node --import` into a Kabinet process a test starts: on the parent's message it
// makes the faults no route can (a promise rejected with nobody listening, an exception thrown
// outside any handler), so that the process policy is tested in the real entry point.
process.on('message', (message) => {
  if (message === 'reject') void Promise.reject(new Error('injected rejection'));
  if (message === 'throw') {
    setImmediate(() => {
      throw new Error('injected exception');
    });
  }
});
process.channel?.unref();
