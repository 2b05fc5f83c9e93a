// The offline explorer: GraphiQL (UMD build, globals React, ReactDOM, GraphiQL) pointed at this
// gateway, with the saved example operations as its tabs. No network beyond this host.
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

/** A fetcher that sends the stored key; a 401 clears it and asks again, in one sentence. */
function keyedFetcher(url, auth) {
  return async (params) => {
    const key = auth.key();
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: JSON.stringify(params),
    });
    if (response.status === 401) {
      window.sessionStorage.removeItem(KEY_STORAGE);
      const sentence = 'The gateway refused this API key (401): enter a valid one above.';
      auth.refused(sentence);
      return { errors: [{ message: sentence }] };
    }
    return response.json();
  };
}

let mounted = null;

function render(root, config, url, auth) {
  const fetcher = auth ? keyedFetcher(url, auth) : GraphiQL.createFetcher({ url });
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
