from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Who runs the site and how to reach them, and its phase (settings)."""
    return {
        "site_owner": settings.SITE_OWNER,
        "contact_email": settings.CONTACT_EMAIL,
        "phase_banner": settings.PHASE_BANNER,
    }
