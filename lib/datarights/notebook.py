"""Small helpers for chapter notebooks (no Jupyter Book needed at execution time).

``glue`` stores a value for the prose exactly as myst-nb's ``glue`` does, without importing
myst-nb, so chapters also execute on machines that have only papermill (the GPU machine).
"""

from __future__ import annotations

import re
from typing import Any

GLUE_PREFIX = "application/papermill.record/"


def glue(name: str, value: Any) -> None:
    """Record ``value`` under ``name`` for ``{glue:text}`name:.1f``` roles in the book (not displayed)."""
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    bundle, metadata = format_display_data(value)
    metadata["scrapbook"] = {"name": name, "mime_prefix": GLUE_PREFIX}
    display({GLUE_PREFIX + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)


def provenance(meta: dict[str, Any], description: str, chapter: str, request: str | None = None) -> str:
    """A Markdown admonition saying which profile, data, seed and device produced the page.

    ``request`` replaces the sentence describing the forget request (for chapters that run many).
    """
    request = request or (
        f"Forget request: class(es) {meta['forget_classes']} of {meta['dataset']} "
        f"({meta['n_forget_train']} training images to forget, {meta['n_retain_train']} to retain). "
    )
    return (
        ":::{admonition} How these numbers were produced\n:class: note\n"
        f"Profile **{meta['profile']}** ({description}), seed **{meta['seed']}**, "
        f"device `{meta['device']}`, torch {meta['torch']}. {request}"
        f"Re-run with another profile: `python -m datarights run {chapter} --profile quick|full --seed N`.\n:::"
    )


def show_markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


# -- MyST → plain Jupyter Markdown --------------------------------------------------------------
# A chapter's Markdown is written for Jupyter Book (MyST). Opened in plain Jupyter (an assignment's
# student notebook) it would show `{glue:text}` placeholders, `{eq}` roles and exercise fences, so
# ``plain_markdown`` rewrites them: glued values become their numbers, directives plain Markdown.

_ROLE = re.compile(r"\{(?P<role>[a-zA-Z][\w:-]*)\}`(?P<body>[^`]*)`")
_FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                    re.M | re.S)
_OPTION = re.compile(r"^:[\w-]+:[^\n]*\n?", re.M)
_EQ_LABEL = re.compile(r"^\$\$[ \t]*\((?P<label>[^)\s]+)\)[ \t]*$", re.M)


def glued_values(nb) -> dict[str, dict[str, Any]]:
    """Every value a notebook ``glue``d, by name: its MIME bundle (``text/plain``, ``text/markdown``, ``image/png`` ...)."""
    found: dict[str, dict[str, Any]] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is None:
                continue
            found[name] = {k[len(GLUE_PREFIX):]: v for k, v in output.get("data", {}).items() if k.startswith(GLUE_PREFIX)}
    return found


def _glue_text(bundle: dict[str, Any] | None, spec: str, markdown: bool = False) -> str:
    if bundle is None:
        return "(computed when the notebook runs)"
    if markdown and "text/markdown" in bundle:
        return "".join(bundle["text/markdown"]).strip()
    text = "".join(bundle.get("text/plain", "")).strip()
    if spec:
        try:
            return format(float(text), spec)
        except ValueError:
            pass
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text


def plain_markdown(text: str, glued: dict[str, dict[str, Any]] | None = None) -> tuple[str, dict[str, Any]]:
    """``text`` with MyST roles and directives rewritten for plain Jupyter; returns (text, attachments).

    Glued values become their numbers (``{glue:text}`x:.1f``` → ``12.3``), ``{eq}`label``` → ``(label)``
    (display equations keep their label as a ``\\tag``), citations their keys in brackets,
    ``exercise``/``admonition``/other fences a bold title and their body; a ``glue:figure`` becomes
    the glued image, carried as a cell attachment.
    """
    glued = glued or {}
    attachments: dict[str, Any] = {}

    def role(match: re.Match) -> str:
        name, body = match["role"], match["body"]
        if name.startswith("glue"):
            key, _, spec = body.partition(":")
            return _glue_text(glued.get(key.strip()), spec, markdown=name == "glue:md")
        if name in ("eq", "numref", "ref", "doc", "term", "download"):
            label = re.sub(r"^.*<([^>]+)>$", r"\1", body) if "<" in body else body
            shown = re.sub(r"\s*<[^>]+>$", "", body) if "<" in body else label
            return f"({label})" if name == "eq" else shown
        if name.startswith("cite"):
            keys = [k.strip() for k in body.split(",")]
            return "[" + "; ".join(keys) + "]"
        if name == "math":
            return f"${body}$"
        return body

    def fence(match: re.Match) -> str:
        name, arg = match["name"], match["arg"].strip()
        body = _OPTION.sub("", match["body"]).strip()
        if name == "glue:figure":
            bundle = glued.get(arg, {})
            caption = _ROLE.sub(role, body)
            if "image/png" in bundle:
                attachments[f"{arg}.png"] = {"image/png": bundle["image/png"]}
                return f"![{arg}](attachment:{arg}.png)\n\n*{caption}*" if caption else f"![{arg}](attachment:{arg}.png)"
            return f"*Figure ({arg}, drawn when the notebook runs): {caption}*"
        if name == "math":
            return f"$$\n{body}\n$$"
        if name in ("solution-start", "solution-end"):
            return ""
        title = {"exercise": "Exercise", "admonition": ""}.get(name, name.capitalize())
        heading = ": ".join(p for p in (title, _ROLE.sub(role, arg)) if p)
        return f"**{heading}**\n\n{body}" if heading else body

    text = _FENCE.sub(fence, text)
    text = _EQ_LABEL.sub(lambda m: f"\\tag{{{m['label']}}}\n$$", text)
    text = _ROLE.sub(role, text)
    return text, attachments
