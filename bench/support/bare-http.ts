// The ceiling of the trivial query: a bare node:http server that answers every POST with what
// `{ __typename }` returns, parsing nothing. Run by bench/read.ts in a process of its own.
import { createServer } from 'node:http';
import { announce } from './child-process.js';

const ANSWER = JSON.stringify({ data: { __typename: 'Query' } });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  announce(
    { url: `http://127.0.0.1:${address.port}/graphql` },
    () => new Promise((resolve) => server.close(() => resolve())),
  );
});
