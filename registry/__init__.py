"""Ketenregister: the shared registry service for eviction-prevention chain partners.

The service layer: domain model, storage, services, disclosure and logs. It knows nothing of
GraphQL or HTTP; only the composition root (`registry.app`, `registry.cli`) wires in `schema`.
"""
