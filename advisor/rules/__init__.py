"""Rules: data (``rules/*.yaml``) that turn a spec into weights, rating adjustments and constraints."""
