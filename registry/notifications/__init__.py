"""Notifications pushed to partner systems (DESIGN.md, "Notifications").

- ``outbox``: events are written in the same transaction as the change they report, and a
  worker turns them into one delivery per interested subscription (policies decide who).
- ``subscriptions``: a partner subscribes a webhook URL to event types, and sees its
  deliveries and failures.
- ``signing``: Standard Webhooks signatures (``webhook-id``, ``webhook-timestamp``,
  ``webhook-signature``).
- ``retry``: exponential backoff with full jitter.
- ``delivery``: the worker that claims due deliveries (safe with several workers) and posts
  thin webhooks with httpx.
"""
