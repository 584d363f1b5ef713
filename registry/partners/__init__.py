"""Partner organisations: registering them, their municipalities and keys, and checking the
signatures they make with those keys."""
