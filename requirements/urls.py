from django.urls import path

from requirements import views, views_coverage, views_focus

app_name = "requirements"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework"),
    path("<int:pk>/", views.requirement_detail, name="detail"),
    path("import/", views.import_upload, name="import"),
    path("import/<uuid:pk>/", views.import_preview, name="import_preview"),
    # Focus areas and the responsibilities of each role (issue 4, section 2).
    path("focus-areas/", views_focus.focus_list, name="focus_list"),
    path("focus-areas/new/", views_focus.focus_create, name="focus_create"),
    path("focus-areas/<int:pk>/", views_focus.focus_detail, name="focus_detail"),
    path("focus-areas/<int:pk>/edit/", views_focus.focus_edit, name="focus_edit"),
    path("focus-areas/<int:pk>/deactivate/", views_focus.focus_deactivate, name="focus_deactivate"),
    path("responsibilities/", views_focus.responsibilities, name="responsibilities"),
    path(
        "responsibilities/<int:unit_pk>/<int:role_pk>/",
        views_focus.responsibility_edit,
        name="responsibility_edit",
    ),
    # The coverage matrix (section 4).
    path("coverage/", views_coverage.coverage, name="coverage"),
    path("coverage/export.xlsx", views_coverage.coverage_xlsx, name="coverage_xlsx"),
    path("coverage/export.pdf", views_coverage.coverage_pdf, name="coverage_pdf"),
    path("coverage/<int:pk>/link/", views_coverage.coverage_link, name="coverage_link"),
    path("coverage/<int:pk>/unlink/", views_coverage.coverage_unlink, name="coverage_unlink"),
]
