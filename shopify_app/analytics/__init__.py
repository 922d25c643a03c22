"""Report queries over stored events."""
