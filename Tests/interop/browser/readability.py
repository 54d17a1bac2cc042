"""Text contrast of a rendered element against the background it is drawn on (WCAG 2 contrast ratio)."""
from __future__ import annotations

from playwright.sync_api import Locator

# The element's text colour, and the first non-transparent background found walking up from it (alpha blended
# over what lies beneath, down to the page's canvas, which is white if nothing paints it).
_COLOURS = """element => {
    const parse = value => {
        const parts = value.match(/[\\d.]+/g).map(Number);
        return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
    };
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
        const background = parse(getComputedStyle(node).backgroundColor);
        if (background.a > 0) layers.push(background);
        if (background.a >= 1) break;
    }
    let base = {r: 255, g: 255, b: 255};
    for (const layer of layers.reverse()) {
        base = {r: layer.r * layer.a + base.r * (1 - layer.a), g: layer.g * layer.a + base.g * (1 - layer.a),
                b: layer.b * layer.a + base.b * (1 - layer.a)};
    }
    const text = parse(getComputedStyle(element).color);
    const blend = (t, b) => t * text.a + b * (1 - text.a);
    return {text: [blend(text.r, base.r), blend(text.g, base.g), blend(text.b, base.b)],
            background: [base.r, base.g, base.b]};
}"""


def relative_luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(element: Locator) -> float:
    """WCAG contrast ratio (1 to 21) of the element's text colour against its effective background."""
    colours = element.evaluate(_COLOURS)
    lighter, darker = sorted((relative_luminance(colours["text"]), relative_luminance(colours["background"])),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
