"""The HTTP edge the composition root puts in front of the GraphQL API: request bodies, slots,
rate limits, idempotent retries, metrics and the connection protocol."""
