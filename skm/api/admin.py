"""API tokens in the admin. A new token's key is shown once, on the page right after saving,
and never again (it is not stored, not even in a message cookie or the session)."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "kind", "scopes", "unit", "user", "created", "last_used_at",
                    "revoked_at"]
    list_filter = ["kind", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "name", "unit__name", "unit__slug", "user__username"]
    list_select_related = ["unit", "user"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "kind", "scopes", "unit", "user"]
        return ["name", "prefix", "kind", "scopes", "unit", "user", "created", "last_used_at",
                "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["prefix", "kind", "scopes", "unit", "user", "created", "last_used_at",
                "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        obj._new_key = obj.save_with_new_key()

    def response_add(self, request, obj, post_url_continue=None):
        key = getattr(obj, "_new_key", None)
        if key is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Token API dibuat"),
            "opts": self.opts,
            "token": obj,
            "key": key,
        }
        response = TemplateResponse(request, "admin/api/apitoken/key_once.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Cabut token terpilih"))
    def revoke(self, request, queryset):
        # one save per token (not queryset.update), so the audit log sees every revocation
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            token.revoke()
        count = len(tokens)
        self.message_user(request, _("%(n)d token dicabut.") % {"n": count}, messages.SUCCESS)
