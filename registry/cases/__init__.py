"""Cases: the shared case record, its lifecycle, annotations and action items, and how a
partner relates to a case (owner, municipality, involved)."""
