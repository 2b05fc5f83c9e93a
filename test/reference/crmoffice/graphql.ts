/** A GraphQL answer as it arrived, errors included, so tests can assert whole answers. */
export interface GraphQLAnswer<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

/** Posts one GraphQL request over HTTP and answers its JSON body. */
export async function postGraphQL<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLAnswer<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLAnswer<T>;
}

/** Just the code and field of each error, to compare failures as whole lists. */
export function codesOf(answer: GraphQLAnswer<unknown>): Array<{ code: unknown; field: unknown }> {
  return (answer.errors ?? []).map((error) => ({
    code: error.extensions?.['code'],
    field: error.extensions?.['field'],
  }));
}
