"""Text helpers shared by the output formats."""


def points(value):
    """Points as people write them: 2, 0.5, 12.25 (never 2.0)."""
    return f"{value:g}"


def first_line(message):
    return message.strip().splitlines()[0] if message.strip() else ""
