"""Background jobs (APScheduler): reminder sweep, daily digest, expiry of unverified requests.

Their state (reminder claims, the digest's day) is in the database, so a restart or a second instance
neither repeats nor loses a run.
"""
