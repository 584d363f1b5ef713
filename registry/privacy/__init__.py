"""The household's rights: its personal data sealed under a per-case key (``keys``), erased on
request or when its retention period ends (``erasure``, ``retention``), the report of who
received it (``report``, ``household``), and the keyed blind indexes that find a sealed
household by its exact address or identity (``blind_index``, ``lookup``).

This package's ``keys`` and ``blind_index`` import nothing of the models at import time, so
that the models can seal with them; importing ``blind_index`` here installs its flush hook
wherever the models are used.
"""

from registry.privacy import blind_index as blind_index
