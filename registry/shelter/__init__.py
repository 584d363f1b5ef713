"""Shelter: the municipality's task to arrange a place for a household before its eviction
day, and the reservation that fulfils it (the report's section 4.2)."""
