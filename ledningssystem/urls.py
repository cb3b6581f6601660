from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ledningssystem import access
from ledningssystem.forms import LoginForm
from ledningssystem.views import health, history, home, jobs, organisation, people, readlog, roles


def _admin_has_permission(request) -> bool:
    # Django admin only for those who administer the whole organisation.
    user = request.user
    return user.is_active and user.is_staff and access.is_system_admin(user)


admin.site.has_permission = _admin_has_permission
admin.site.site_header = "Ledningssystem"

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", home.password_change, name="password_change"),
    path("language/", home.set_language, name="set_language"),
    path("organisation/", organisation.unit_list, name="unit_list"),
    path("organisation/overview/", organisation.overview, name="organisation_overview"),
    path("organisation/export/", organisation.organisation_export, name="organisation_export"),
    path("organisation/units/new/", organisation.unit_create, name="unit_create"),
    path("organisation/units/<int:pk>/", organisation.unit_detail, name="unit_detail"),
    path("organisation/units/<int:pk>/edit/", organisation.unit_edit, name="unit_edit"),
    path("organisation/units/<int:pk>/move/", organisation.unit_move, name="unit_move"),
    path("people/", people.person_list, name="person_list"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/assignments/new/", people.assignment_create, name="assignment_create"),
    path("people/<int:pk>/deactivate/", people.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", people.person_reactivate, name="person_reactivate"),
    path("assignments/<int:pk>/end/", people.assignment_end, name="assignment_end"),
    path("roles/", roles.role_list, name="role_list"),
    path("roles/new/", roles.role_create, name="role_create"),
    path("roles/<int:pk>/", roles.role_detail, name="role_detail"),
    path("roles/<int:pk>/edit/", roles.role_edit, name="role_edit"),
    path("history/<slug:key>/<str:pk>/", history.record_history, name="record_history"),
    path("read-log/<slug:key>/<str:pk>/", readlog.record_read_log, name="record_read_log"),
    path("jobs/", jobs.job_list, name="job_list"),
    path("jobs/<uuid:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<uuid:pk>/download/", jobs.job_download, name="job_download"),
    path("report/", home.report_start, name="report_start"),
    path("deviations/", include("deviations.urls")),
    path("actions/", include("actions.urls")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("reports.urls")),
    path("requirements/", include("requirements.urls")),
    path("", include("processes.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "ledningssystem.views.errors.bad_request"
handler403 = "ledningssystem.views.errors.forbidden"
handler404 = "ledningssystem.views.errors.not_found"
handler500 = "ledningssystem.views.errors.server_error"
