from django.conf import settings


def site(request):
    return {"SITE_NAME": settings.ZHENGWU_SITE_NAME}
