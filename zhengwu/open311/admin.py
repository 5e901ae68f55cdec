"""Open311 client systems: issue a key (shown once), re-issue it, switch a system off.

Only the key's hash is stored; the key itself appears once, in the message after saving.
``Open311Request`` rows are listed read-only without the submitter's e-mail (personal data).
"""

from django.contrib import admin, messages

from .models import Open311Client, Open311Request
from .services import client_issue, client_rotate, client_update


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "jurisdiction",
        "active",
        "posts_per_hour",
        "publish_consent",
        "created_at",
        "last_used_at",
    ]
    list_filter = ["active"]
    search_fields = ["name", "prefix"]
    fields = [
        "name",
        "jurisdiction",
        "active",
        "posts_per_hour",
        "publish_consent",
        "note",
        "prefix",
        "created_at",
        "last_used_at",
    ]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["rotate_keys"]

    def has_delete_permission(self, request, obj=None):
        return False  # requests refer to their client; switch a system off with "启用" instead

    def get_readonly_fields(self, request, obj=None):
        # The jurisdiction of a client with orders is part of their history.
        return [*self.readonly_fields, "jurisdiction"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            client_update(client=obj, changed=form.changed_data, actor=request.user, request=request)
            return
        client, raw = client_issue(
            name=obj.name,
            jurisdiction=obj.jurisdiction,
            actor=request.user,
            active=obj.active,
            posts_per_hour=obj.posts_per_hour,
            publish_consent=obj.publish_consent,
            note=obj.note,
            request=request,
        )
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = (
            client.pk,
            client.prefix,
            client.key_hash,
            client.created_at,
        )
        self.message_user(
            request,
            f"已签发“{client.name}”的 api_key：{raw}　请立即复制并交给对方系统，"
            "此密钥只显示这一次（系统只保存其摘要）",
            messages.WARNING,
        )

    @admin.action(description="重新签发所选系统的密钥（旧密钥立即失效）", permissions=["change"])
    def rotate_keys(self, request, queryset):
        for client in queryset:
            raw = client_rotate(client=client, actor=request.user, request=request)
            self.message_user(
                request, f"“{client.name}”的新 api_key：{raw}　此密钥只显示这一次", messages.WARNING
            )


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin):
    list_display = ["order", "client", "device_id", "account_id", "received_at"]
    list_filter = ["client"]
    search_fields = ["order__no"]
    fields = [
        "order",
        "client",
        "device_id",
        "account_id",
        "address_id",
        "media_urls",
        "attributes",
        "received_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
