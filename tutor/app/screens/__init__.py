"""The app's screens: home, lesson, packs, keys."""
