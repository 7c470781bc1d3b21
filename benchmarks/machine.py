"""What a benchmark prints about the machine it ran on (the machine is shared: quote its load too)."""

import os
import platform


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average():
    """The 1, 5 and 15 minute load averages as one string, e.g. "0.89 0.75 0.60"."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())
