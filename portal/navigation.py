"""The section of the main navigation a page belongs to, which the navigation marks
with aria-current: "consultations", "finder", "recurring", "progress", "themes",
"partners" or ""."""

from django.http import HttpRequest


def section_of(view_name: str) -> str:
    namespace, _, name = view_name.rpartition(":")
    if namespace == "insights":
        return "consultations"  # consultations and their briefings
    if namespace == "workinggroups":
        return "finder" if name in ("finder", "output") else "consultations"
    if namespace in ("recurring", "progress"):
        return namespace
    if namespace == "browse" and name.startswith(("theme", "tag")):
        return "themes"
    if namespace == "browse" and name.startswith("partner"):
        return "partners"
    return ""


def navigation(request: HttpRequest) -> dict[str, str]:
    match = request.resolver_match
    return {"nav_section": section_of(match.view_name) if match else ""}
