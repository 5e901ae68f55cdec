from django.conf import settings

# 长辈版 (适老化): a cookie the visitor sets with the switch in the header; it only changes how pages look.
ELDER_COOKIE = "zw_elder"


def site(request):
    return {"SITE_NAME": settings.ZHENGWU_SITE_NAME,
            "elder_mode": getattr(request, "COOKIES", {}).get(ELDER_COOKIE) == "1"}
