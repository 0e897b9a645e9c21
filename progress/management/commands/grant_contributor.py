from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from insights.models import Organisation
from progress.models import Contributor


class Command(BaseCommand):
    help = (
        "Let an existing user report progress for an organisation (a partner "
        "contributor): gives them staff status to sign in to the admin, where they see "
        "only that organisation's commitments."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("organisation", help="The organisation's slug.")

    def handle(self, *args, username, organisation, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No user is called {username!r}; create the user first.") from None
        try:
            org = Organisation.objects.get(slug=organisation)
        except Organisation.DoesNotExist:
            raise CommandError(f"No organisation has the slug {organisation!r}.") from None
        if user.is_superuser:
            raise CommandError(f"{username} is a superuser and may already do everything.")
        contributor = Contributor.objects.grant(user, [org])
        names = ", ".join(o.name for o in contributor.organisations.order_by("name"))
        self.stdout.write(f"{username} may now report progress for: {names}.")
