"""Pydantic models of the documents users write; parsing input only, never passed around the core."""
