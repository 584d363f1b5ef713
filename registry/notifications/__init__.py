"""Notifications pushed to partner systems (DESIGN.md, "Notifications").

- ``outbox``: events are written in the same transaction as the change they report, and a
  worker turns them into one delivery per interested subscription (policies decide who).
- ``subscriptions``: a partner subscribes a webhook URL to event types, and sees its
  deliveries and failures.
- ``signing``: Standard Webhooks signatures (``webhook-id``, ``webhook-timestamp``,
  ``webhook-signature``).
- ``retry``: exponential backoff with full jitter.
- ``targets``: the address policy for webhook URLs (https, public unicast addresses only),
  checked when a URL is subscribed and before every attempt.
- ``claims``: a worker leases due deliveries (safe with several workers), a fair share per
  subscription.
- ``pinned``: one POST over a connection to the checked addresses, within a deadline.
- ``announcers``: the timed events (overdue action items, municipal contacts, signal replies
  and shelter tasks; agreement reviews fallen due) and who announces each; the delivery worker
  runs them every round.
- ``delivery``: the worker that fans out, claims, posts thin webhooks concurrently (a slow
  receiver slows only itself) and records the results.
"""
