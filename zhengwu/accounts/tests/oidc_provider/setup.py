"""Prepare the provider's database: its people and the platform as a registered client."""

import sys

import django


def main(redirect_uri: str, client_secret: str) -> None:
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    from .validator import PEOPLE

    call_command("migrate", verbosity=0, interactive=False)
    for username in PEOPLE:
        User.objects.create_user(username, password="provider-pass-1")
    Application.objects.create(
        client_id="zhengwu", client_secret=client_secret, name="综合政务服务平台",
        client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri, algorithm=Application.RS256_ALGORITHM, skip_authorization=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
