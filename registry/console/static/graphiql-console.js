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
  root.textContent = "";
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: "{\n  cases(first: 5) {\n    nodes { id municipality phase evictionDate withheld }\n  }\n}\n",
    })
  );
})();
