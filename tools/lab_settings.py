"""Install the course's JupyterLab settings: no pop-up covers a learner's figures, and they turn dark with the theme.

JupyterLab asks "Would you like to get notified about official Jupyter news?" in a
pop-up at the bottom right of the page, on top of whatever figure is there, and may
announce a newer JupyterLab the same way. ``lab-settings/overrides.json`` answers
both: never fetch the news, never check for updates. This script puts those
defaults into ``overrides.json`` in the settings folder of this Python's JupyterLab
(``<application directory>/settings``, as ``jupyter lab path`` prints it), keeping
any other default already there. A learner can still change them in the Settings
Editor (Notifications).

In JupyterLab's dark theme a figure would be a white block on a dark page.
``lab-settings/custom.css`` turns every course figure dark there instead (the
course's figures carry the class ``cu-figure``). JupyterLab strips the ``<style>``
a figure brings along from the stored outputs of a notebook it does not trust,
as in a fresh clone, so the script also puts that CSS into ``custom/custom.css``
of your Jupyter configuration folder (``jupyter --config-dir``, usually
``~/.jupyter``), between two marker lines and keeping anything else in the file,
and sets ``LabApp.custom_css`` to true in ``jupyter_lab_config.json`` there, so
JupyterLab loads it. It only touches images of the class ``cu-figure``, and only
in a dark theme.

``make lab`` runs it before starting JupyterLab, Binder's ``postBuild`` once after
installing the course; the conda route runs it by hand::

    python tools/lab_settings.py
"""

import json
import sys
from pathlib import Path

SHIPPED = Path(__file__).resolve().parents[1] / "lab-settings" / "overrides.json"
SHIPPED_CSS = SHIPPED.with_name("custom.css")
BEGIN, END = "/* >>> Backprop from Scratch (tools/lab_settings.py) */", "/* <<< Backprop from Scratch */"


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


def with_block(old, block):
    """The text ``old`` with the course's marked block replaced by ``block``, or ``block`` added at its end."""
    marked = f"{BEGIN}\n{block.strip()}\n{END}\n"
    start, stop = old.find(BEGIN), old.find(END)
    if start >= 0 and stop > start:
        return old[:start] + marked + old[stop + len(END):].lstrip("\n")
    return old + ("\n" if old and not old.endswith("\n") else "") + marked


def install_css(config_dir=None):
    """Put the course's figure CSS into ``config_dir/custom/custom.css`` and let JupyterLab load it.

    ``config_dir`` is Jupyter's configuration folder if None. Returns the two paths written:
    ``custom/custom.css`` and ``jupyter_lab_config.json`` (``LabApp.custom_css``, other settings kept).
    """
    if config_dir is None:
        from jupyter_core.paths import jupyter_config_dir

        config_dir = jupyter_config_dir()
    css = Path(config_dir) / "custom" / "custom.css"
    css.parent.mkdir(parents=True, exist_ok=True)
    old = css.read_text(encoding="utf-8") if css.exists() else ""
    css.write_text(with_block(old, SHIPPED_CSS.read_text(encoding="utf-8")), encoding="utf-8")
    config = Path(config_dir) / "jupyter_lab_config.json"
    try:
        settings = json.loads(config.read_text(encoding="utf-8")) if config.exists() else {}
    except json.JSONDecodeError as error:
        raise SystemExit(f"{config} is not valid JSON ({error}); fix it, or add "
                         '"LabApp": {"custom_css": true} to it by hand') from None
    settings.setdefault("LabApp", {})["custom_css"] = True
    config.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return css, config


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit(f"usage: {sys.argv[0]} (no arguments; JUPYTERLAB_DIR chooses another JupyterLab application folder, "
                 "JUPYTER_CONFIG_DIR another configuration folder)")
    print(f"JupyterLab settings: {install()}")
    css, config = install_css()
    print(f"Figures in the dark theme: {css} (loaded as {config} asks)")
