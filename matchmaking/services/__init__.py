"""Services: every write of the domain goes through a function here (keyword-only arguments)."""
