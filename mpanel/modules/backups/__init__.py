"""Backups: a pg_dump of the whole database plus the storage manifest,
compressed, encrypted with a key kept outside the backups, stored in the
storage service, kept by a daily/weekly/monthly retention, verifiable and
restorable from ``flask mpanel backup``."""
