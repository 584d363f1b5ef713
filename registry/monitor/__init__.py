"""The eviction monitor: yearly counts per corporation and per municipality, small cells
suppressed (the report's Appendix 3 and the Aedes figures)."""
