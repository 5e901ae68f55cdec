from django.contrib.auth import views as auth_views
from django.urls import path

from zhengwu.accounts.views import ThrottledLoginView

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("items/<str:impl_code>/", views.item_guide, name="item_guide"),
    path("kpi/", views.kpi, name="kpi"),
    path("oversight/", views.oversight, name="oversight"),
    path("me/", views.me, name="me"),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
