"""URLs of this part of the processes app (see processes/urls.py)."""

urlpatterns: list = []
