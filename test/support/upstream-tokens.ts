/**
 * The bearer tokens of the reference systems this test process started, by origin, so the helpers
 * that talk to a system directly (gql, listAll, the admin endpoints) authenticate the way the gateway
 * does, like curl finding a host's credentials in .netrc. Each test file has its own module registry,
 * so suites never see each other's tokens.
 */
const tokens = new Map<string, string>();

/** Records `token` for every URL on the origin of `url`. */
export function rememberToken(url: string, token: string): void {
  tokens.set(new URL(url).origin, token);
}

/** Forgets the token of `url`'s origin (its server is closed; the port may be reused). */
export function forgetToken(url: string): void {
  tokens.delete(new URL(url).origin);
}

/** `{ authorization: 'Bearer …' }` for a system started with a token, `{}` for any other URL. */
export function authorizationFor(url: string): Record<string, string> {
  const token = tokens.get(new URL(url).origin);
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}
