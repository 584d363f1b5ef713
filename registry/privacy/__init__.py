"""The household's rights: its personal data sealed under a per-case key (``keys``), erased on
request or when its retention period ends (``erasure``, ``retention``), and the report of who
received it (``report``).

This package's ``keys`` imports nothing of the models, so that the models can seal with it.
"""
