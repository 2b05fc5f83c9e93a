// The offline explorer: GraphiQL (UMD build, globals React, ReactDOM, GraphiQL) pointed at this
// gateway, with the saved example operations as its tabs. No network beyond this host.
'use strict';

(async function startExplorer() {
  const root = document.getElementById('graphiql');
  let config;
  try {
    const response = await fetch('/explorer/examples.json', { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    config = await response.json();
  } catch (error) {
    root.textContent = `Could not load the explorer's examples: ${error.message}`;
    return;
  }
  const fetcher = GraphiQL.createFetcher({ url: new URL(config.endpoint, window.location.href).toString() });
  // Where the gateway wants a token, every tab starts with the header to fill in (a tab's own headers
  // win over defaultHeaders in GraphiQL 3, so they go on each tab).
  const headers = config.authentication ? '{\n  "Authorization": "Bearer <paste your API key here>"\n}' : undefined;
  const tabs = config.examples.map((example) => ({ query: example.query, variables: example.variables, headers }));
  root.textContent = '';
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultTabs: tabs,
      // Headers typed here stay in this tab's memory, not in the browser's storage.
      ...(headers ? { defaultHeaders: headers, isHeadersEditorEnabled: true } : {}),
      defaultEditorToolsVisibility: config.authentication ? 'headers' : 'variables',
      shouldPersistHeaders: false,
    }),
  );
})();
