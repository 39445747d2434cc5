"""Small helpers for chapter notebooks (no Jupyter Book needed at execution time).

``glue`` stores a value for the prose exactly as myst-nb's ``glue`` does, without importing
myst-nb, so chapters also execute on machines that have only papermill (the GPU machine).
"""

from __future__ import annotations

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
