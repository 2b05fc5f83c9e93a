// `node --import ./test/support/register-typescript.js src/main.ts …` runs the TypeScript sources
// directly in a child process (tests that kill and restart the sync worker), without a build.
import { register } from 'node:module';

register(new URL('./typescript-hooks.js', import.meta.url));
