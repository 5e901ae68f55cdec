"""Sign-in, slowed against password guessing.

Failures are counted in the shared cache per client address and per user name: after
``PER_USER`` wrong passwords for one name, or ``PER_CLIENT`` from one address, within ``WINDOW``
seconds, sign-in is refused until the window ends (the answer does not say whether the name
exists). The admin's own login page leads here, so it is covered too.
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth.views import LoginView

from zhengwu.core import throttle
from zhengwu.core.errors import DomainError
from zhengwu.core.formerrors import FieldErrors

PER_USER, PER_CLIENT, WINDOW = 5, 30, 900


class ThrottledLoginView(LoginView):
    template_name = "portal/login.html"

    def get_context_data(self, **kwargs):
        from .oidc import oidc_enabled

        ctx = super().get_context_data(**kwargs)
        errors, form = FieldErrors(), ctx.get("form")
        if kwargs.get("throttled"):
            errors.add_general(kwargs["throttled"])
        elif form is not None and form.is_bound and form.errors:
            for name, label in (("username", "用户名"), ("password", "密码")):
                if not (self.request.POST.get(name) or "").strip():
                    errors.add(name, label, f"请填写{label}")
            if not errors:  # which of the two was wrong is not said
                errors.add_general("用户名或密码不正确，请重新输入。")
        return {**ctx, "errors": errors, "oidc_enabled": oidc_enabled(),
                "oidc_failed": self.request.GET.get("oidc") == "failed"}

    def post(self, request, *args, **kwargs):
        client = throttle.client_key(request)
        # The form NFKC-normalises the name (ａｄｍｉｎ signs in as admin): the counter must as well.
        name = unicodedata.normalize("NFKC", request.POST.get("username", "")).strip().casefold()[:150]
        # Counted before the password is checked, so parallel guesses cannot all pass the count.
        counted = []
        try:
            for scope, who, limit, what in (("login-client", client, PER_CLIENT, "登录"),
                                            ("login-user", name, PER_USER, "该账号登录")):
                throttle.attempt(scope, who, limit=limit, window=WINDOW, what=what)
                counted.append((scope, who))
        except DomainError as exc:
            for scope, who in counted:  # refused before any check: costs the other counter nothing
                throttle.forgive(scope, who)
            form = self.get_form_class()(request)  # unbound: the password is not even checked
            return self.render_to_response(self.get_context_data(form=form, throttled=exc.message), status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code != 200:  # signed in (the form did not come back): only failures count
            for scope, who in counted:
                throttle.forgive(scope, who)
        return response
