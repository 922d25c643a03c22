"""Event ingest: validation, enrichment and durable writes."""
