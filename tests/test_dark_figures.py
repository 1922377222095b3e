"""The course's figures in a dark theme: one PNG, turned dark by a CSS filter that keeps the palette readable.

Every course figure is an ``<img class="cu-figure">`` (``show_figure`` and the
explorers); in JupyterLab's dark theme and the website's dark mode, CSS applies
``DARK_FILTER`` (``invert(0.9) hue-rotate(180deg)``) to it. These tests work out
what the filter does to each colour with the matrices of the CSS Filter Effects
spec (https://www.w3.org/TR/filter-effects-1/#ShorthandEquivalents), on the
sRGB-encoded values, as Chromium does (the browser test at the end checks it),
and hold the dark variant to the course's figure rules: the page dark, the text
light and readable, each colour at least 3:1 against the page, the colours apart
from one another for every kind of colour vision, and viridis still one-way.

They also check that the pieces agree: the class on every figure, the CSS that
travels with a figure, ``lab-settings/custom.css`` and the website's CSS.
"""

import itertools
import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest

import course_utils as cu
from course_utils.plotting.show import DARK_FIGURE_CSS, DARK_FILTER, FIGURE_CLASS
from course_utils.plotting.style import COLORS, OKABE_ITO, SERIES_COLORS

ROOT = Path(__file__).resolve().parents[1]

# Filter Effects 1, hue-rotate(θ): the matrix is LUM + cos θ · A + sin θ · B (luminance weights 0.213, 0.715, 0.072).
LUM = np.array([[0.213, 0.715, 0.072]] * 3)
HUE_COS = np.array([[0.787, -0.715, -0.072], [-0.213, 0.285, -0.072], [-0.213, -0.715, 0.928]])
HUE_SIN = np.array([[-0.213, -0.715, 0.928], [0.143, 0.140, -0.283], [-0.787, 0.715, 0.072]])
# Machado, Oliveira & Fernandes (2009), severity 1: protanopia, deuteranopia, tritanopia, on linear RGB.
VISION = {
    "typical": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
WHITE, BLACK = np.ones(3), np.zeros(3)


def filter_amounts():
    """The invert amount and the hue-rotate angle (degrees) in ``DARK_FILTER``, in that order."""
    match = re.fullmatch(r"invert\(([\d.]+)\) hue-rotate\(([\d.]+)deg\)", DARK_FILTER)
    assert match, f"DARK_FILTER is not 'invert(a) hue-rotate(θdeg)': {DARK_FILTER}"
    return float(match.group(1)), float(match.group(2))


def dark(rgb):
    """What ``DARK_FILTER`` makes of an sRGB colour (values 0..1): invert, then hue-rotate, then clip."""
    amount, degrees = filter_amounts()
    inverted = amount + (1 - 2 * amount) * np.asarray(rgb, dtype=float)    # invert(a): a linear transfer a -> 1 - a
    theta = np.deg2rad(degrees)
    return np.clip((LUM + np.cos(theta) * HUE_COS + np.sin(theta) * HUE_SIN) @ inverted, 0, 1)


def rgb(colour):
    return np.asarray(matplotlib.colors.to_rgb(colour))


def linear(c):
    c = np.asarray(c, dtype=float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def encoded(c):
    c = np.clip(c, 0, 1)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def contrast(a, b):
    """WCAG 2 contrast ratio of two sRGB colours: (L1 + 0.05) / (L2 + 0.05), lighter over darker."""
    la, lb = sorted(linear(c) @ [0.2126, 0.7152, 0.0722] for c in (a, b))
    return (lb + 0.05) / (la + 0.05)


def lab(c):
    """CIELAB (D65) of an sRGB colour."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear(c)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(c, vision):
    """The sRGB colour a viewer with ``vision`` sees for ``c``."""
    return encoded(VISION[vision] @ linear(c))


# --------------------------------------------------------------------------------------------------
# What the filter does


def test_the_filter_matches_the_spec_at_the_corners():
    # invert(0.9) takes white to 0.1 and black to 0.9 on every channel; a grey has no hue for hue-rotate to move.
    np.testing.assert_allclose(dark(WHITE), 0.1, atol=1e-3)
    np.testing.assert_allclose(dark(BLACK), 0.9, atol=1e-3)
    # The two steps together move a colour by 0.8 c + (0.9 - 1.6 lum(c)): its hue is kept and its lightness turned.
    blue = rgb(OKABE_ITO["blue"])
    np.testing.assert_allclose(dark(blue), np.clip(0.8 * blue + 0.9 - 1.6 * (LUM[0] @ blue), 0, 1), atol=2e-3)


def test_the_page_turns_dark_and_the_text_stays_readable():
    page = dark(WHITE)
    assert contrast(page, BLACK) < 1.5, "the figure's page should turn dark, close to the theme's own background"
    # Text, ticks and axes are black: light grey on dark grey, at least WCAG's 7:1 for text (AAA).
    assert contrast(dark(BLACK), page) >= 7
    # The grey reference lines stay at the 3:1 asked of graphics.
    assert contrast(dark(rgb(COLORS["reference"])), page) >= 3


@pytest.mark.parametrize("colour", sorted(set(COLORS.values()) | set(SERIES_COLORS)))
def test_every_colour_keeps_its_contrast_against_the_dark_page(colour):
    light, dark_ratio = contrast(rgb(colour), WHITE), contrast(dark(rgb(colour)), dark(WHITE))
    # No colour loses contrast when the page turns dark (black, 21:1 on white, keeps 14:1: well above text's 7:1) ...
    assert dark_ratio >= min(light, 7), f"{colour}: {light:.2f}:1 on white, {dark_ratio:.2f}:1 on the dark page"
    # ... and all but yellow, the last series colour, reach 3:1 (yellow is 1.3:1 on white, 1.6:1 dark: a line
    # drawn in it is told apart by its dash pattern and marker, as every series line is).
    if colour != OKABE_ITO["yellow"]:
        assert dark_ratio >= 3, f"{colour}: {dark_ratio:.2f}:1 against the dark page"


@pytest.mark.parametrize("vision", VISION)
def test_the_series_colours_stay_apart_for_every_kind_of_colour_vision(vision):
    # CIE76 colour difference; 2.3 is about the smallest a viewer notices. On white the closest pair is 16 to 26
    # apart, depending on the vision; the filter brings some pairs closer, and no pair under 10.
    colours = [dark(rgb(c)) for c in SERIES_COLORS]
    distances = {(SERIES_COLORS[i], SERIES_COLORS[j]): np.linalg.norm(lab(seen(a, vision)) - lab(seen(b, vision)))
                 for (i, a), (j, b) in itertools.combinations(enumerate(colours), 2)}
    closest = min(distances, key=distances.get)
    assert distances[closest] >= (20 if vision == "typical" else 10), f"{vision}: {closest} {distances[closest]:.1f}"


@pytest.mark.parametrize("cmap", ["viridis", "cividis"])
def test_a_viridis_surface_still_reads_one_way(cmap):
    # The filter turns lightness round: the map runs from light to dark, still monotonic, so its colour bar
    # (turned with it) still reads one way.
    colours = matplotlib.colormaps[cmap](np.linspace(0, 1, 64))[:, :3]
    lightness = np.array([lab(dark(c))[0] for c in colours])
    assert np.all(np.diff(lightness) < 0), f"{cmap}: the dark variant's lightness is not monotonic"


# --------------------------------------------------------------------------------------------------
# The pieces agree


def test_show_figure_marks_its_image_and_brings_the_dark_css(monkeypatch):
    import IPython.display
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    cu.show_figure(fig, "A rising line.")
    markup = shown[0]["text/html"]
    assert re.search(rf'<img [^>]*class="{FIGURE_CLASS}"', markup), markup[:200]
    assert f"<style>{DARK_FIGURE_CSS}</style>" in markup
    assert markup.count("<img") == 1


def test_every_explorer_image_has_the_figure_class_and_its_css():
    import ipywidgets as widgets

    from course_utils.widgets import output_explorer
    from course_utils.widgets._base import close_all

    explorer = output_explorer()
    try:
        assert re.search(rf'<img [^>]*class="{FIGURE_CLASS}"', explorer.image.value)
        markup = [w.value for w in explorer.children if isinstance(w, widgets.HTML)]
        assert any(DARK_FIGURE_CSS in m for m in markup), "the explorer's CSS does not turn its figure dark"
    finally:
        close_all(explorer)


def test_the_css_is_the_same_everywhere():
    assert DARK_FIGURE_CSS == f'body[data-jp-theme-light="false"] img.{FIGURE_CLASS}{{filter:{DARK_FILTER}}}'
    shipped = (ROOT / "lab-settings" / "custom.css").read_text(encoding="utf-8")
    assert DARK_FIGURE_CSS in shipped.splitlines(), "lab-settings/custom.css must hold DARK_FIGURE_CSS on a line"
    site = (ROOT / "docs" / "_static" / "course.css").read_text(encoding="utf-8")
    rules = re.findall(r"([^{}]*img\.cu-figure)\s*\{([^}]*)\}", site)     # the rules that style the <img> itself
    assert rules and all(f"filter: {DARK_FILTER};" in body for _, body in rules)
    assert all('html[data-theme="dark"]' in selector for selector, _ in rules), "the site filters only in dark mode"


# --------------------------------------------------------------------------------------------------
# In a browser


@pytest.mark.browser
def test_chromium_applies_the_filter_as_the_spec_says(page):
    """Swatches of every course colour, filtered in Chromium, match ``dark`` to 2/255."""
    import io

    from PIL import Image

    colours = sorted(set(COLORS.values()) | set(SERIES_COLORS) | {"#ffffff"})
    swatches = "".join(f'<div style="width:20px;height:20px;background:{c};filter:{DARK_FILTER}"></div>'
                       for c in colours)
    page.set_content(f"<body style='margin:0'>{swatches}</body>")
    shot = np.asarray(Image.open(io.BytesIO(page.screenshot())).convert("RGB"), dtype=float) / 255
    for i, colour in enumerate(colours):
        np.testing.assert_allclose(shot[20 * i + 10, 10], dark(rgb(colour)), atol=2 / 255, err_msg=colour)
