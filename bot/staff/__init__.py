"""The staff desk: request cards in the staff group, relay between staff and requesters, reminders,
the daily digest, statistics and the register export. Sends only through the outbox."""
