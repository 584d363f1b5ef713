"""Bulk import of a corporation's caseload: reading a file's lines (``lines``) and writing
them as registered cases, many at a time (``batches``)."""
