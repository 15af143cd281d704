"""The referee report: rendering in every format (:mod:`.formats`) and the papers' figures
(:mod:`.figures`).
"""

from .._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        ".formats": ("Report", "STATUS_STYLE", "json_object", "to_json", "to_markdown", "to_html",
            "to_latex", "render_text", "write_report", "FORMATS"),
    },
)
