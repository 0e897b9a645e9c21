"""Build the POST data a browser sends back from an admin form, as it was rendered."""

import datetime

from taggit.utils import edit_string_for_tags


def _post_value(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        if value and all(hasattr(v, "name") and hasattr(v, "slug") for v in value):
            return edit_string_for_tags(value)
        return [getattr(v, "pk", v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return getattr(value, "pk", value)


def _form_fields(form):
    data = {}
    for name in form.fields:
        bound = form[name]
        value = _post_value(bound.value())
        if value is False:
            continue
        data[bound.html_name] = "on" if value is True else value
    return data


def admin_form_data(response, **changes):
    """Everything the change form at `response` would post, then `changes` on top."""
    data = _form_fields(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        data.update(_form_fields(formset.management_form))
        for form in formset.forms:
            data.update(_form_fields(form))
    data.update(changes)
    return data
