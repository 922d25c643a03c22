"""Destinations: where recorded events go after ingest. Today Meta's Conversions API.

- `meta_client`: the one module that talks to the Graph API, and what each answer means;
- `meta_normalize`: Meta's normalisation and hashing of customer information;
- `meta_payload`: a stored event as a Conversions API server event;
- `consent`: whether an event may go, by the shopper's choice or the shop's policy;
- `outbox`: claiming due `deliveries` rows under a lease, and recording their outcomes;
- `delivery`: the loop's work: batches, retries, bisecting, pausing, expiring;
- `wake`, `service`: waking on new rows (LISTEN/NOTIFY or a poll) and running the loop;
- `report`, `credentials`: what the admin shows, the credential check and the test event.
"""
