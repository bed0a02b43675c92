"""ce-tutor's two themes, chosen to stay distinct after colour downgrade.

Over SSH most learners get 256 colours (COLORTERM is not forwarded) and
some get 16. Every colour here sits on (or next to) an xterm-256 palette
entry, and each role maps to a different one of the 16 ANSI colours, so
text, accents and verdicts stay apart; surfaces are separated by borders,
never by a shade that collapses into the background.
"""

from __future__ import annotations

from textual.theme import Theme

DARK = Theme(
    name="tutor-dark",
    dark=True,
    primary="#5fafff",  # 256: 75, 16: bright blue
    secondary="#d787ff",  # 256: 177, 16: bright magenta
    accent="#ffd75f",  # 256: 221, 16: bright yellow
    foreground="#e4e4e4",  # 256: 254, 16: white
    background="#121212",  # 256: 233, 16: black
    surface="#1c1c1c",  # 256: 234
    panel="#303030",  # 256: 236
    success="#5fd75f",  # 256: 77, 16: bright green
    warning="#d78700",  # 256: 172, 16: yellow (not bright: apart from the accent)
    error="#ff5f5f",  # 256: 203, 16: bright red
    variables={
        "footer-key-foreground": "#ffd75f",
        "block-cursor-text-style": "bold reverse",
        "block-cursor-background": "#5fafff",
        "block-cursor-foreground": "#121212",
        "input-cursor-text-style": "reverse",
        # a scrollbar and a placeholder that read at ≥ 4.5:1 on the background (WCAG AA)
        "scrollbar": "#8a8a8a",  # 256: 245; 5.4:1 on the background
        "scrollbar-hover": "#a8a8a8",
        "scrollbar-active": "#ffd75f",
        "scrollbar-background": "#121212",
        "scrollbar-background-hover": "#121212",
        "scrollbar-background-active": "#121212",
        "placeholder": "#8a8a8a",  # 5.4:1
    },
)

LIGHT = Theme(
    name="tutor-light",
    dark=False,
    primary="#005fd7",  # 256: 26, 16: blue
    secondary="#870087",  # 256: 90, 16: magenta
    accent="#008787",  # 256: 30, 16: cyan
    foreground="#000000",  # 16: black
    background="#ffffff",  # 256: 231, 16: bright white
    surface="#eeeeee",  # 256: 255
    panel="#dadada",  # 256: 253
    success="#008700",  # 256: 28, 16: green
    warning="#af5f00",  # 256: 130, 16: yellow
    error="#d70000",  # 256: 160, 16: red
    variables={
        "footer-key-foreground": "#005fd7",
        "block-cursor-text-style": "bold reverse",
        "block-cursor-background": "#005fd7",
        "block-cursor-foreground": "#ffffff",
        "input-cursor-text-style": "reverse",
        "scrollbar": "#585858",  # 256: 240; 7.1:1 on the background
        "scrollbar-hover": "#444444",
        "scrollbar-active": "#005fd7",
        "scrollbar-background": "#ffffff",
        "scrollbar-background-hover": "#ffffff",
        "scrollbar-background-active": "#ffffff",
        "placeholder": "#6c6c6c",  # 5.3:1
    },
)

THEMES = {"dark": DARK, "light": LIGHT}
