"""Views for people and machines: diagnostics, plans, apply results."""
