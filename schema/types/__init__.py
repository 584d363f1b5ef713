"""GraphQL types, one module per aggregate."""
