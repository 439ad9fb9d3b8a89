"""Order events sent to the URLs a tenant subscribed (webhooks): a transactional outbox, signed deliveries.

`outbox` writes the events in the transaction of the change; `services` delivers them (Celery, `tasks`), signed as
the Standard Webhooks specification says (`signing`), only to public addresses (`addresses`).
"""
