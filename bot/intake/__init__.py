"""Request intake without Telegram: the questions each kind asks, the summary, jurisdictions, submission,
duplicates, and what `/mydata` shows and `/forget` deletes. The handlers in `handlers/requests/` render it."""
