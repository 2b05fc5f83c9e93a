// Like register-typescript.js, with the transpiled sources cached (cached-typescript-hooks.js):
// `node --import ./test/support/register-cached-typescript.js src/main.ts sync` starts in about a
// second instead of several, which matters to tests that start and kill sync processes repeatedly.
import { register } from 'node:module';

register(new URL('./cached-typescript-hooks.js', import.meta.url));
