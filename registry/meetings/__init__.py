"""Case meetings (*casusoverleg*): scheduling, the agenda each participant sees as its policies
release it, and decisions recorded as case-conference annotations with action items."""
