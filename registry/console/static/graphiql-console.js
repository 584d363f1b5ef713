// GraphiQL in the console: requests go to the console's GraphQL endpoint with the session
// cookie and the session's CSRF token; nothing is loaded from outside the registry.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var endpoint = root.getAttribute("data-endpoint");
  var csrf = root.getAttribute("data-csrf");
  function fetcher(params) {
    return fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(params),
    }).then(function (response) { return response.json(); });
  }
  // GraphiQL's editors come without labels and with scroll areas a keyboard cannot reach:
  // give them both as they appear (WCAG 2.1: 1.3.1, 2.1.1).
  function label() {
    root.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach(function (t) {
      var editor = t.closest(".graphiql-editor");
      var name = editor && editor.parentElement && editor.parentElement.classList.contains("graphiql-query-editor")
        ? "GraphQL-query" : "GraphQL-editor";
      t.setAttribute("aria-label", t.readOnly ? "Resultaat" : name);
    });
    root.querySelectorAll(".CodeMirror-scroll:not([tabindex=\"0\"])").forEach(function (s) {
      s.setAttribute("tabindex", "0");
    });
  }
  new MutationObserver(label).observe(root, { childList: true, subtree: true });
  root.textContent = "";
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: "{\n  cases(first: 5) {\n    nodes { id municipality phase evictionDate withheld }\n  }\n}\n",
    })
  );
})();
