"""Pages of 联合踏勘 (included by joint/urls.py)."""

urlpatterns: list = []
