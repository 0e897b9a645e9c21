"""Response headers and client addresses for running on the public internet."""

from django.conf import settings


class SecurityHeadersMiddleware:
    """Add the isolation headers Django has no setting for.

    Content-Security-Policy comes from django-csp, HSTS, nosniff, Referrer-Policy
    and Cross-Origin-Opener-Policy from Django's SecurityMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", settings.SECURE_CROSS_ORIGIN_RESOURCE_POLICY
        )
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def client_ip(request):
    """The visitor's address, as django-axes should count failed logins by it.

    Behind TRUSTED_PROXY_COUNT reverse proxies, each appends the address it saw
    to X-Forwarded-For, so the visitor is that many entries from the right;
    anything further left was written by the visitor and cannot be trusted.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [hop for hop in forwarded if hop]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
