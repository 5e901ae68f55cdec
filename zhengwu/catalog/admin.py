"""Catalog maintenance for 中心管理员: drafts are edited, published versions are read-only."""

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponseRedirect
from django.urls import reverse

from zhengwu.core.errors import DomainError
from zhengwu.core.uploads import check_upload
from zhengwu.org.models import Department

from . import bundles, services
from .models import Bundle, BundleMember, BundleVersion, Fee, Item, ItemVersion, Material, ProcessStep


class _ChildInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj):
        return obj is None or obj.state == ItemVersion.State.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class StepInline(_ChildInline):
    model = ProcessStep


# What a 空白表格 or 示例样表 may be: documents and scans, opened by a real parser like every upload.
MATERIAL_FILE_TYPES = ("pdf", "ofd", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png")


class MaterialAdminForm(forms.ModelForm):
    """A newly chosen blank form or sample passes the platform's upload check (``zhengwu.core.uploads``):
    these files are offered to every applicant for download."""

    class Meta:
        model = Material
        fields = ["seq", "name", "necessity", "form", "source", "copies", "spec", "blank_form", "sample", "notes",
                  "acceptance_standard"]  # the inline sets the version

    def _checked(self, name: str):
        upload = self.cleaned_data.get(name)
        if isinstance(upload, UploadedFile):  # a newly chosen file, not the stored one
            try:
                check_upload(upload, allowed_types=MATERIAL_FILE_TYPES)
            except DomainError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from None
        return upload

    def clean_blank_form(self):
        return self._checked("blank_form")

    def clean_sample(self):
        return self._checked("sample")


class MaterialInline(_ChildInline):
    model = Material
    form = MaterialAdminForm


class FeeInline(_ChildInline):
    model = Fee


class _DraftVersionAdmin(admin.ModelAdmin):
    """Versions (of items and of bundles): only a draft is edited or deleted, none is added here (new ones
    come through their 事项/联办事项 or the Excel import; versions through drafts), and drafts are published
    by the subclass's ``publish_service`` (keyword-only ``version`` and ``actor``)."""

    actions = ["publish"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.state != ItemVersion.State.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is not None and obj.state == ItemVersion.State.DRAFT

    @admin.action(description="发布所选草稿（成为现行版本）")
    def publish(self, request, queryset):
        done = 0
        for version in queryset.filter(state=ItemVersion.State.DRAFT):
            try:
                self.publish_service(version=version, actor=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{version}：{exc.message}", messages.ERROR)
        self.message_user(request, f"已发布 {done} 个版本")


@admin.register(ItemVersion)
class ItemVersionAdmin(_DraftVersionAdmin):
    list_display = ["name", "item", "version", "state", "status", "legal_limit", "promised_limit", "published_at"]
    list_filter = ["state", "status", "kind", "case_type", "item__department"]
    search_fields = ["name", "item__impl_code", "basic_code"]
    inlines = [StepInline, MaterialInline, FeeInline]
    readonly_fields = ["item", "version", "state", "published_at"]

    publish_service = staticmethod(services.item_publish)


class ItemAddForm(forms.ModelForm):
    """Adding an item: its code, department and name; everything else is filled in on its draft."""

    class Meta:
        model = Item
        fields = ["impl_code", "department", "name"]

    def clean_impl_code(self):
        value = self.cleaned_data["impl_code"].strip()
        if Item.objects.filter(impl_code=value).exists():
            raise forms.ValidationError(f"实施编码 {value} 已存在")
        return value


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["impl_code", "name", "department", "status", "current"]
    list_filter = ["status", "department"]
    search_fields = ["impl_code", "name", "name_initials", "name_pinyin"]
    readonly_fields = ["current", "name", "name_pinyin", "name_initials", "status"]
    actions = ["new_draft"]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ItemAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return ["impl_code", "department", "name"] if obj is None else super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        draft = services.item_create(impl_code=obj.impl_code, department=obj.department, name=obj.name,
                                     actor=request.user)
        obj.pk = draft.item_id
        request._zhengwu_new_draft = draft

    def response_add(self, request, obj, post_url_continue=None):
        draft = getattr(request, "_zhengwu_new_draft", None)
        if draft is None:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, f"已新建事项“{draft.name}”及其第1版草稿：请填写事项要素、办理环节、材料和收费后发布",
                          messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:catalog_itemversion_change", args=[draft.pk]))

    @admin.action(description="基于现行版本新建草稿（修改后发布为新版本）")
    def new_draft(self, request, queryset):
        drafts = []
        for item in queryset:
            try:
                drafts.append(services.item_draft_create(item=item, actor=request.user))
            except DomainError as exc:
                self.message_user(request, f"{item}：{exc.message}", messages.ERROR)
        self.message_user(request, f"已建立 {len(drafts)} 个草稿，请在“事项版本”中修改后发布")


# -- bundles (联办事项 / 一件事) --------------------------------------------------------------------------------


class BundleMemberInline(_ChildInline):
    model = BundleMember
    fields = ["seq", "item", "promised_days"]
    autocomplete_fields = ["item"]


@admin.register(BundleVersion)
class BundleVersionAdmin(_DraftVersionAdmin):
    """A bundle's versions: a draft is edited (fields and member items) and published; published and
    superseded versions are read-only, as for items."""

    list_display = ["name", "bundle", "version", "state", "lead_department", "mode", "promised_days",
                    "project_stage", "published_at"]
    list_filter = ["state", "mode", "project_stage", "deemed", "lead_department"]
    search_fields = ["name", "bundle__code"]
    inlines = [BundleMemberInline]
    readonly_fields = ["bundle", "version", "state", "published_at"]
    fields = ["bundle", "version", "state", "published_at", "name", "lead_department", "mode", "promised_days",
              "deemed", "absent_deemed", "inspection_stops_clock", "max_inspection_rounds", "project_stage",
              "description", "change_note"]

    publish_service = staticmethod(bundles.bundle_publish)


class BundleAddForm(forms.ModelForm):
    """Adding a bundle: its code, name and lead department; members and limits are filled in on its draft."""

    lead_department = forms.ModelChoiceField(label="牵头部门", queryset=Department.objects.filter(is_active=True))

    class Meta:
        model = Bundle
        fields = ["code", "name"]

    def clean_code(self):
        value = self.cleaned_data["code"].strip()
        if Bundle.objects.filter(code=value).exists():
            raise forms.ValidationError(f"联办事项编码 {value} 已存在")
        return value


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "status", "current"]
    list_filter = ["status"]
    search_fields = ["code", "name"]
    readonly_fields = ["current", "name", "status"]
    actions = ["new_draft", "suspend", "resume"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)  # the list's actions; rows read-only

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = BundleAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return ["code", "name", "lead_department"] if obj is None else ["code", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            return
        draft = bundles.bundle_create_draft(code=obj.code, name=obj.name,
                                            lead_department=form.cleaned_data["lead_department"], actor=request.user)
        obj.pk = draft.bundle_id
        request._zhengwu_new_draft = draft

    def response_add(self, request, obj, post_url_continue=None):
        draft = getattr(request, "_zhengwu_new_draft", None)
        if draft is None:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, f"已新建联办事项“{draft.name}”及其第1版草稿：请填写承诺时限、成员事项后发布",
                          messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:catalog_bundleversion_change", args=[draft.pk]))

    @admin.action(description="基于现行版本新建草稿（修改后发布为新版本）")
    def new_draft(self, request, queryset):
        drafts = []
        for bundle in queryset:
            try:
                drafts.append(bundles.bundle_create_draft(code=bundle.code, actor=request.user))
            except DomainError as exc:
                self.message_user(request, f"{bundle}：{exc.message}", messages.ERROR)
        self.message_user(request, f"已建立 {len(drafts)} 个草稿，请在“联办事项版本”中修改后发布")

    def _set_status(self, request, queryset, status):
        for bundle in queryset:
            bundles.bundle_set_status(bundle=bundle, status=status, actor=request.user)
        self.message_user(request, f"已更新 {queryset.count()} 个联办事项的状态")

    @admin.action(description="暂停所选联办事项（不再受理申请）")
    def suspend(self, request, queryset):
        self._set_status(request, queryset, ItemVersion.Status.SUSPENDED)

    @admin.action(description="恢复所选联办事项（在用）")
    def resume(self, request, queryset):
        self._set_status(request, queryset, ItemVersion.Status.ACTIVE)
