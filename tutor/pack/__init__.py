"""Lesson packs: the typed model, the loader, discovery."""
