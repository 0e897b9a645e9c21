from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def contact_email_is_set(app_configs, **kwargs) -> list[Warning]:
    """The accessibility statement must name a contact (PSBAR 2018)."""
    if settings.CONTACT_EMAIL:
        return []
    return [
        Warning(
            "CONTACT_EMAIL is not set: the accessibility statement and the contact, "
            "privacy and cookies pages have no address to give.",
            hint="Set CONTACT_EMAIL to the address that answers readers, e.g. portal@example.org.",
            id="browse.W001",
        )
    ]
