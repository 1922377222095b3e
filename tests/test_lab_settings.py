"""The JupyterLab settings the course ships: no "news?" or update pop-up covers a learner's figures, and the
figures turn dark with JupyterLab's dark theme.

``lab-settings/overrides.json`` holds the defaults; ``tools/lab_settings.py`` puts them into a
JupyterLab's settings folder, and ``make lab`` and Binder's ``postBuild`` both run it. These tests
install them into a scratch JupyterLab folder and read them back the way JupyterLab's server does
(``jupyterlab_server``), against the schema of the JupyterLab installed here. The figure CSS
(``lab-settings/custom.css``) goes into ``custom/custom.css`` of a scratch Jupyter configuration
folder, with ``LabApp.custom_css`` turned on, and is read back as JupyterLab's own app reads it.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "@jupyterlab/apputils-extension:notification"
_spec = importlib.util.spec_from_file_location("lab_settings", ROOT / "tools" / "lab_settings.py")
lab_settings = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lab_settings)


def notification_schema():
    from jupyterlab.commands import get_app_dir

    path = Path(get_app_dir()) / "schemas" / "@jupyterlab" / "apputils-extension" / "notification.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_shipped_settings_never_fetch_news_and_fit_jupyterlabs_schema():
    import jsonschema

    shipped = json.loads((ROOT / "lab-settings" / "overrides.json").read_text(encoding="utf-8"))
    # The string "false" (never), not the boolean: the schema's choices are the strings "true", "false" and "none".
    assert shipped[PLUGIN]["fetchNews"] == "false"
    assert shipped[PLUGIN]["checkForUpdates"] is False
    schema = notification_schema()
    jsonschema.validate(shipped[PLUGIN], schema)                   # raises on a wrong type or an unknown setting
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"fetchNews": False}, schema)          # the boolean would be refused


def test_installed_settings_are_what_jupyterlabs_server_reads(tmp_path):
    from jupyterlab.commands import get_app_dir
    from jupyterlab_server.settings_utils import get_settings

    app_dir, config_dir = tmp_path / "lab", tmp_path / "config"
    env = {**os.environ, "JUPYTERLAB_DIR": str(app_dir), "JUPYTER_CONFIG_DIR": str(config_dir)}
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "lab_settings.py")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert str(app_dir / "settings" / "overrides.json") in done.stdout
    assert str(config_dir / "custom" / "custom.css") in done.stdout
    # The defaults the server hands the page, with no user settings of its own yet.
    found, _ = get_settings(str(app_dir / "settings"), str(Path(get_app_dir()) / "schemas"), str(tmp_path / "user"),
                            schema_name=PLUGIN)
    defaults = {name: spec.get("default") for name, spec in found["schema"]["properties"].items()}
    assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False
    assert defaults["fetchNews"] != notification_schema()["properties"]["fetchNews"]["default"]


def test_installing_keeps_the_other_defaults_already_there(tmp_path):
    target = tmp_path / "overrides.json"
    target.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
                                  PLUGIN: {"doNotDisturbMode": True, "fetchNews": "true"}}))
    assert lab_settings.install(tmp_path) == target
    kept = json.loads(target.read_text())
    assert kept["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert kept[PLUGIN] == {"doNotDisturbMode": True, "fetchNews": "false", "checkForUpdates": False}
    assert lab_settings.install(tmp_path) == target and json.loads(target.read_text()) == kept    # twice: the same


def test_make_lab_and_binder_install_them():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^lab: .*\n((?:\t.*\n)+)", makefile, re.M).group(1).splitlines()
    settings = [i for i, line in enumerate(recipe) if "tools/lab_settings.py" in line]
    starts = [i for i, line in enumerate(recipe) if "jupyter lab" in line]
    assert settings and starts and settings[0] < starts[0], "make lab must install the settings before starting"
    post_build = (ROOT / "postBuild").read_text().splitlines()
    install = post_build.index("python -m pip install --no-deps -e .")
    assert "python tools/lab_settings.py" in post_build[install + 1:], "postBuild must install the settings"


def test_the_figure_css_is_installed_with_the_switch_that_loads_it(tmp_path):
    from jupyterlab.labapp import LabApp
    from traitlets.config.loader import JSONFileConfigLoader

    from course_utils.plotting.show import DARK_FIGURE_CSS

    css, config = lab_settings.install_css(tmp_path)
    assert css == tmp_path / "custom" / "custom.css" and config == tmp_path / "jupyter_lab_config.json"
    assert DARK_FIGURE_CSS in css.read_text().splitlines()
    # JupyterLab reads jupyter_lab_config.json from the configuration folder; the switch it finds is on.
    app = LabApp(config=JSONFileConfigLoader(config.name, str(tmp_path)).load_config())
    assert app.custom_css is True


def test_installing_the_css_keeps_what_is_there_and_twice_is_once(tmp_path):
    (tmp_path / "custom").mkdir()
    mine = "/* my own */\nbody { font-size: 15px }\n"
    (tmp_path / "custom" / "custom.css").write_text(mine)
    (tmp_path / "jupyter_lab_config.json").write_text(json.dumps({"LabApp": {"collaborative": False},
                                                                  "ServerApp": {"port": 9999}}))
    css, config = lab_settings.install_css(tmp_path)
    first = css.read_text()
    assert first.startswith(mine) and first.count(lab_settings.BEGIN) == 1 and first.count(lab_settings.END) == 1
    assert json.loads(config.read_text()) == {"LabApp": {"collaborative": False, "custom_css": True},
                                              "ServerApp": {"port": 9999}}
    lab_settings.install_css(tmp_path)
    assert css.read_text() == first, "a second install must leave the file as the first left it"


def test_a_broken_lab_config_is_named_not_overwritten(tmp_path):
    (tmp_path / "jupyter_lab_config.json").write_text("{not json")
    with pytest.raises(SystemExit, match="jupyter_lab_config.json is not valid JSON"):
        lab_settings.install_css(tmp_path)
    assert (tmp_path / "jupyter_lab_config.json").read_text() == "{not json"
