// pino loads its worker-thread transports (thread-stream, worker_threads) and node:assert at every
// start, for features the server never uses: it logs to stderr through sonic-boom, in the process's
// main thread. Left out of the server's bundle, they cost neither start-up nor idle memory.
const STUBS = {
  // pino.transport(): not used; a call says so instead of failing obscurely.
  transport: "module.exports = function transport() { throw new Error('pino transports are not part of this build: the server logs to stderr'); };",
  // dist/index.js always runs as a process's main thread: pino registers its exit flush there.
  mainThread: 'module.exports = { isMainThread: true };',
  // sonic-boom's only use: checking its own arguments.
  assert: "module.exports = function assert(ok, message) { if (!ok) throw new Error(typeof message === 'string' ? message : 'assertion failed'); };",
};
const from = (importer, pkg) => importer.includes(`node_modules/${pkg}/`);

export const pinoLean = {
  name: 'pino-lean',
  setup(b) {
    b.onResolve({ filter: /^\.\/(lib\/)?transport$/ }, (args) => (from(args.importer, 'pino') ? { path: 'transport', namespace: 'pino-lean' } : undefined));
    b.onResolve({ filter: /^(node:)?worker_threads$/ }, (args) => (from(args.importer, 'pino') ? { path: 'mainThread', namespace: 'pino-lean' } : undefined));
    b.onResolve({ filter: /^(node:)?assert$/ }, (args) => (from(args.importer, 'sonic-boom') ? { path: 'assert', namespace: 'pino-lean' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'pino-lean' }, (args) => ({ contents: STUBS[args.path], loader: 'js' }));
  },
};
