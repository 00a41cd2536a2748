"""The matchmaking domain: models, services (writes), selectors (reads), tasks, commands."""
