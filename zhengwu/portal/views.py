from django.shortcuts import render

from zhengwu.org.models import Hall


def home(request):
    halls = Hall.objects.filter(kind=Hall.Kind.CENTER, is_active=True).select_related("region")
    return render(request, "portal/home.html", {"halls": halls})
