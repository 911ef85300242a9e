"""The models, data and tooling behind *The Containment Paradox* teaching module.

Public API used by the notebooks:

    from book.hardware import get_chip, load_chips
    from book.export_controls import classify, RULES
    from book.checks import check
"""

__version__ = "0.1.0"
