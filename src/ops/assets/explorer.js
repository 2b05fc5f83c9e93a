// The offline explorer: GraphiQL (UMD build, globals React, ReactDOM, GraphiQL) pointed at this
// gateway, with the saved example operations as its tabs; subscriptions run over WebSocket (graphql-ws,
// which the GraphiQL build carries). No network beyond this host.
// Where the gateway wants a token, the page asks for the API key once (one field, kept for this
// browser tab in sessionStorage), sends it with every request of every tab, and loads the schema as
// soon as it has one; a refused key is explained in one sentence and asked for again.
'use strict';

const KEY_STORAGE = 'gateway-explorer-api-key';

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
  const url = new URL(config.endpoint, window.location.href).toString();
  if (!config.authentication) return render(root, config, url, null);

  const form = document.getElementById('key-form');
  const input = document.getElementById('api-key');
  const message = document.getElementById('key-message');
  const ask = (why) => {
    message.textContent = why;
    form.hidden = false;
    input.focus();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return ask('Enter the API key to send with every request.');
    window.sessionStorage.setItem(KEY_STORAGE, key);
    input.value = '';
    form.hidden = true;
    message.textContent = '';
    render(root, config, url, { key: () => window.sessionStorage.getItem(KEY_STORAGE), refused: ask });
  });
  const stored = window.sessionStorage.getItem(KEY_STORAGE);
  if (stored) render(root, config, url, { key: () => window.sessionStorage.getItem(KEY_STORAGE), refused: ask });
  else {
    root.textContent = 'Enter an API key above to load the schema and run the saved operations.';
    ask('This gateway needs an API key (npm start prints a demo one).');
  }
})();

/** `fetch` that sends the stored key; a 401 clears it and asks again, in one sentence. */
function keyedFetch(auth) {
  return async (url, init) => {
    const key = auth.key();
    const response = await fetch(url, {
      ...init,
      headers: { ...init.headers, ...(key ? { authorization: `Bearer ${key}` } : {}) },
    });
    if (response.status !== 401) return response;
    window.sessionStorage.removeItem(KEY_STORAGE);
    const sentence = 'The gateway refused this API key (401): enter a valid one above.';
    auth.refused(sentence);
    return new Response(JSON.stringify({ errors: [{ message: sentence }] }), {
      headers: { 'content-type': 'application/json' },
    });
  };
}

let mounted = null;

function render(root, config, url, auth) {
  // Subscriptions go over graphql-ws on the same path (ws:// or wss://), the key in connection_init.
  const subscriptionUrl = url.replace(/^http/, 'ws');
  const key = auth?.key();
  const fetcher = GraphiQL.createFetcher({
    url,
    subscriptionUrl,
    ...(auth ? { fetch: keyedFetch(auth), wsConnectionParams: key ? { authorization: `Bearer ${key}` } : {} } : {}),
  });
  const tabs = config.examples.map((example) => ({ query: example.query, variables: example.variables }));
  if (mounted) mounted.unmount();
  root.textContent = '';
  mounted = ReactDOM.createRoot(root);
  mounted.render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultTabs: tabs,
      defaultEditorToolsVisibility: 'variables',
      shouldPersistHeaders: false,
    }),
  );
}
