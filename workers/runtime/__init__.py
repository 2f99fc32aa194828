"""The worker runtime: polling, retries, variables, settings. Nothing business-specific lives here."""
