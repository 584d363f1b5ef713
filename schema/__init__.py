"""The GraphQL API: types, queries and mutations over the registry's services. Thin: each
resolver parses its input, calls one registry service and maps the result."""
