"""Errors the engine raises on invalid input."""


class EngineError(ValueError):
    """Input that the regulation's arithmetic cannot accept, with a message for the user."""
