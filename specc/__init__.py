"""specc: a plugin-based compiler for awarding-body qualification specifications."""

__version__ = "0.1.0"
