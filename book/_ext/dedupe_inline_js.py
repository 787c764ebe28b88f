"""Drop repeated inline ``<script>`` blocks from every HTML page.

Sphinx 7.4 records a script added after the builder is initialised both in the extension
registry and on the builder, and de-duplicates the two lists by file name only. An inline
script has no file name, so it is emitted twice: sphinx-thebe's ``const THEBE_JS_URL = ...``
then fails in the browser with "Identifier 'THEBE_JS_URL' has already been declared".
This keeps the first copy of each identical inline script and leaves file scripts alone.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        filename = getattr(script, "filename", script)
        body = getattr(script, "attributes", {}).get("body")
        if not filename and body is not None:
            if body in seen:
                continue
            seen.add(body)
        kept.append(script)
    context["script_files"] = kept


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
