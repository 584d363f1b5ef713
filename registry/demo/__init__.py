"""The demo registry: the report's partners, covenants, synthetic cases, agreements and
witnesses."""
