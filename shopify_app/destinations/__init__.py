"""Destinations: where recorded events go after ingest. Today Meta's Conversions API: a client
(`meta_client`), the payload built from stored events (`meta_payload`), and the delivery loop
that `sightline worker` runs (`outbox` claims rows, `delivery` sends them)."""
