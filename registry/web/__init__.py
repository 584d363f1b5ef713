"""The HTTP edge the composition root puts in front of the GraphQL API: the ``/graphql``
endpoint and its exchange (request and answer), request bodies, slots, rate limits, idempotent
retries, metrics, the probes, the signed log's endpoints and the connection
protocol. Nothing here imports ``schema``: what needs GraphQL, the composition root passes in."""
