"""What the reader's browser calls once a dashboard on the site is live.

The page's script starts a WebAssembly Python, unpacks the ``book`` package into it and calls
``update(name, values_json)`` on every control change. The answer is JSON: the panel's HTML (the
same HTML the notebook shows) or, for a value the view rejects, the error message naming the
control (with its label) and the control's name, so the page can mark it. It never raises: any
other failure is a message too. Standard library only.
"""

from __future__ import annotations

import importlib
import json

from book.dashboards.base import explain, render
from book.language import translate

#: the dashboards a page may ask for (a page cannot import an arbitrary module)
DASHBOARDS = ("threshold_explorer", "architecture_calculator", "hardware_comparison", "serving_roofline",
              "diffusion_simulator", "rule_designer")


def update(name: str, values_json: str) -> str:
    """The panel of dashboard ``name`` for the control values in ``values_json``, as JSON."""
    if name not in DASHBOARDS:
        return json.dumps({"error": f"no dashboard called {name!r}; known: {list(DASHBOARDS)}"})
    dashboard = importlib.import_module(f"book.dashboards.{name}")
    try:
        values = json.loads(values_json)
        if not isinstance(values, dict):
            raise ValueError("the control values must be a JSON object")
        panel = render(dashboard, values)
    except ValueError as exc:
        text, control = explain(dashboard.CONTROLS, str(exc))
        return json.dumps({"error": translate(text), "control": control})
    except KeyError as exc:  # str() of a KeyError wraps its message in quotes
        text, control = explain(dashboard.CONTROLS, str(exc.args[0]) if exc.args else str(exc))
        return json.dumps({"error": translate(text), "control": control})
    except Exception as exc:  # noqa: BLE001 - the page must never see a traceback
        return json.dumps({"error": f"the dashboard could not compute this setting ({type(exc).__name__}); "
                                    "try a value nearer the slider's middle", "control": None})
    return json.dumps({"html": panel.html(), "alt": panel.alt,
                       "texts": [[translate(heading), translate(text)] for heading, text in panel.texts]})
