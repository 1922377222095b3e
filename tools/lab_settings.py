"""Install the course's JupyterLab settings, so no pop-up covers a learner's figures.

JupyterLab asks "Would you like to get notified about official Jupyter news?" in a
pop-up at the bottom right of the page, on top of whatever figure is there, and may
announce a newer JupyterLab the same way. ``lab-settings/overrides.json`` answers
both: never fetch the news, never check for updates. This script puts those
defaults into ``overrides.json`` in the settings folder of this Python's JupyterLab
(``<application directory>/settings``, as ``jupyter lab path`` prints it), keeping
any other default already there. A learner can still change them in the Settings
Editor (Notifications).

``make lab`` runs it before starting JupyterLab, Binder's ``postBuild`` once after
installing the course; the conda route runs it by hand::

    python tools/lab_settings.py
"""

import json
import sys
from pathlib import Path

SHIPPED = Path(__file__).resolve().parents[1] / "lab-settings" / "overrides.json"


def merged(old, new):
    """``old`` with every setting of ``new`` put over it, plugin by plugin."""
    out = {plugin: dict(settings) for plugin, settings in old.items()}
    for plugin, settings in new.items():
        out.setdefault(plugin, {}).update(settings)
    return out


def install(settings_dir=None):
    """Write the course's defaults into ``settings_dir/overrides.json`` (JupyterLab's own folder if None).

    Returns the path written.
    """
    if settings_dir is None:
        from jupyterlab.commands import get_app_dir

        settings_dir = Path(get_app_dir()) / "settings"
    target = Path(settings_dir) / "overrides.json"
    old = json.loads(target.read_text(encoding="utf-8")) if target.exists() else {}
    new = json.loads(SHIPPED.read_text(encoding="utf-8"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(merged(old, new), indent=2) + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit(f"usage: {sys.argv[0]} (no arguments; JUPYTERLAB_DIR chooses another JupyterLab application folder)")
    print(f"JupyterLab settings: {install()}")
