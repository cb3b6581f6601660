from django.urls import path

from requirements import views

app_name = "requirements"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework"),
    path("<int:pk>/", views.requirement_detail, name="detail"),
    path("import/", views.import_upload, name="import"),
    path("import/<uuid:pk>/", views.import_preview, name="import_preview"),
]
