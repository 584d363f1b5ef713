"""Aftercare after an eviction: the household's new contact details, given with its consent,
and the follow-ups of the partners that continue (issue 15, part 2)."""
