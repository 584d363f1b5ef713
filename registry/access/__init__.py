"""Access: who is asking (tokens, the principal), what it may see (the policy store, policy
administration, the one disclosure choke point, the log's openings) and what it was shown (the
access log)."""
