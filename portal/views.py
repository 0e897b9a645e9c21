import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    """200 "ok" when the app answers and its database does, 503 otherwise.

    For load balancers and uptime monitors: no session, no templates, and the
    reason for a failure goes to the log, never to the client.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check failed: the database is unreachable")
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def server_error(request):
    """The API answers its clients in JSON even when the failure is below it (the
    database gone): they read `detail`, whatever `Accept` they sent."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error. Try again later."}, status=500)
    return defaults.server_error(request)
