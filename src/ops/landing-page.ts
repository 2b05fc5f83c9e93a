import type { ApolloServerPlugin, BaseContext, GraphQLServerListener, LandingPage } from '@apollo/server';

/**
 * Wraps a landing-page plugin (Apollo Sandbox) so that its page carries a bar linking to the gateway's
 * own pages: the offline GraphiQL explorer at /explorer and the status page at /status. Sandbox loads
 * from Apollo's CDN; the link is the way out when that is not reachable. The page's Content Security
 * Policy allows only styles with its nonce, so the link's style reuses that nonce.
 */
export function withOpsLinks<Context extends BaseContext>(
  plugin: ApolloServerPlugin<Context>,
): ApolloServerPlugin<Context> {
  return {
    async serverWillStart(service) {
      const listener = await plugin.serverWillStart?.(service);
      if (!listener?.renderLandingPage) return listener;
      const render = listener.renderLandingPage.bind(listener);
      const wrapped: GraphQLServerListener = {
        ...listener,
        renderLandingPage: async (): Promise<LandingPage> => {
          const page = await render();
          return { html: async () => addOpsLinks(typeof page.html === 'string' ? page.html : await page.html()) };
        },
      };
      return wrapped;
    },
  };
}

/** The page with the links inserted before `</body>` (unchanged when it has no body end). */
export function addOpsLinks(html: string): string {
  const nonce = /'nonce-([^']+)'/.exec(html)?.[1];
  const nonceAttribute = nonce ? ` nonce="${nonce}"` : '';
  // A full-width bar in plain sight: offline, Sandbox shows only "you might be offline", so this bar is
  // the page's way to a working explorer.
  const links = `
    <style${nonceAttribute}>
      #gateway-ops-links { position: fixed; left: 0; right: 0; bottom: 0; z-index: 2147483647; padding: 10px 16px;
        background: #0f172a; color: #e2e8f0; font: 15px/1.4 system-ui, sans-serif; text-align: center; }
      #gateway-ops-links a { color: #93c5fd; font-weight: 600; }
    </style>
    <div id="gateway-ops-links">Apollo Sandbox loads from Apollo's servers. Offline, or it does not load?
      Open the gateway's own <a href="/explorer">explorer at /explorer</a> (works offline) · <a href="/status">status page</a></div>
  `;
  const end = html.lastIndexOf('</body>');
  return end < 0 ? html : html.slice(0, end) + links + html.slice(end);
}
