"""The Textual app: screens, widgets and styles. Only this layer imports Textual."""
