from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ledningssystem import access
from ledningssystem.jobs import job_is_expired, job_label
from ledningssystem.models import BackgroundJob
from ledningssystem.models.jobs import JobStatus
from ledningssystem.views.common import paginate


def job_list(request: HttpRequest) -> HttpResponse:
    jobs = access.for_user(request.user, BackgroundJob).order_by("-created_at")
    page = paginate(request, jobs, 25)
    for job in page.object_list:
        job.label = job_label(job.kind)
    return render(request, "jobs/job_list.html", {"page": page})


def job_detail(request: HttpRequest, pk: str) -> HttpResponse:
    job = access.get_for_user(request.user, BackgroundJob, pk)
    job.label = job_label(job.kind)
    template = "jobs/_job_status.html" if request.htmx else "jobs/job_detail.html"
    return render(
        request,
        template,
        {
            "job": job,
            "is_expired": job_is_expired(job),
            # A job that has not moved for a quarter of an hour will not: stop polling.
            "is_stuck": not job.is_finished and job.created_at < timezone.now() - timezone.timedelta(minutes=15),
        },
    )


def job_download(request: HttpRequest, pk: str) -> FileResponse:
    job = access.get_for_user(request.user, BackgroundJob, pk)
    if job.status != JobStatus.DONE or not job.result or job_is_expired(job):
        raise Http404
    response = FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)
    response["Cache-Control"] = "private, no-store"
    return response
