import { authorizationFor } from './upstream-tokens.js';

/** Sends one GraphQL request the way any client would (with the system's token, if it has one); returns `data`, throws on errors. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authorizationFor(url) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length)
    throw new Error(`GraphQL error from ${url}: ${body.errors.map((e) => e.message).join('; ')}`);
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  return body.data as T;
}

/** Every node of a paged list field (e.g. `employees`), reading pages of 500. */
export async function listAll<T = Record<string, unknown>>(
  url: string,
  field: string,
  selection: string,
): Promise<T[]> {
  const all: T[] = [];
  let after: string | null = null;
  for (;;) {
    const data: Record<string, { nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }> =
      await gql(
        url,
        `query($after: String) { ${field}(first: 500, after: $after) { nodes { ${selection} } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
    const page = data[field];
    if (!page) throw new Error(`no field ${field}`);
    all.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return all;
    after = page.pageInfo.endCursor;
  }
}
