"""One figure style for the whole book: a colour-blind-safe palette, legible sizes, a source line.

The palette (``book.palette``) is Okabe and Ito's eight colours, safe for the common forms of
colour blindness; figures pair colour with a second cue (shape, hatching), so none relies on
colour alone.
"""

from __future__ import annotations

import matplotlib as mpl

from book.palette import OKABE_ITO  # noqa: F401 - the palette, re-exported for the charts

#: Figures are at most this wide (inches at 100 dpi, so 550 CSS px) and no text in them is smaller
#: than ``MIN_FONT_PT``: shrunk to a 390 px phone's text column (about 358 px), the smallest text
#: still renders at about 9.5 px. They are stored at twice that resolution ("retina") for sharp
#: high-density screens, displayed at 550 px.
MAX_WIDTH_IN = 5.5
MIN_FONT_PT = 10.5

RC = {
    "figure.figsize": (MAX_WIDTH_IN, 4.2),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.fontsize": MIN_FONT_PT,
    "legend.frameon": False,
    "axes.prop_cycle": mpl.cycler(color=[OKABE_ITO[k] for k in
                                         ("blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black")]),
    "svg.hashsalt": "containment-paradox",
}


def apply() -> None:
    """Set the book's matplotlib style (idempotent).

    Inside a Jupyter kernel it also registers the display of the bare ``Figure`` objects the
    chart functions return, as PNG at twice the resolution (shown at the figure's own size);
    without that a notebook would store only the text ``<Figure size ...>``.
    """
    mpl.rcParams.update(RC)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return
    if get_ipython() is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")


def source_line(fig, text: str) -> None:
    """Print a figure's data source in small type under the axes."""
    fig.text(0.01, 0.005, f"Source: {text}", fontsize=MIN_FONT_PT, color="#333333", ha="left", va="bottom",
             wrap=True)
