"""Staff accounts of partner organisations: passwords, second factor, login and sessions."""
