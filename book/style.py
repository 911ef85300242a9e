"""One figure style for the whole book: a colour-blind-safe palette, legible sizes, a source line.

The palette is Okabe and Ito's (2008) eight colours, safe for the common forms of colour
blindness. Status colours are paired with distinct marker shapes, so no figure relies on colour
alone.
"""

from __future__ import annotations

import matplotlib as mpl

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

#: colour and marker for each classification status, used by every chart of the rules
STATUS_STYLE = {
    "controlled": {"color": OKABE_ITO["vermillion"], "marker": "s"},
    "not controlled": {"color": OKABE_ITO["blue"], "marker": "o"},
    "cannot classify": {"color": OKABE_ITO["black"], "marker": "x"},
}

RC = {
    "figure.figsize": (7.5, 4.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.prop_cycle": mpl.cycler(color=[OKABE_ITO[k] for k in
                                         ("blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black")]),
    "svg.hashsalt": "containment-paradox",
}


def apply() -> None:
    """Set the book's matplotlib style (idempotent).

    Inside a Jupyter kernel it also registers the PNG display of the bare ``Figure`` objects the
    chart functions return; without that a notebook would store only the text
    ``<Figure size ...>``.
    """
    mpl.rcParams.update(RC)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return
    if get_ipython() is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")


def source_line(fig, text: str) -> None:
    """Print a figure's data source in small type under the axes."""
    fig.text(0.01, 0.005, f"Source: {text}", fontsize=8, color="#444444", ha="left", va="bottom", wrap=True)
