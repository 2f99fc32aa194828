"""Business workers, one module per process. Every module here is imported by `workers.catalog`."""
