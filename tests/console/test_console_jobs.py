"""后台任务: the staff's list of the evaluations meter uploads queued."""

from __future__ import annotations

from conftest import Platform, power_user, upload_last_year_peak

from gzvpp.models import Role


def test_staff_see_the_jobs_uploads_queued(platform: Platform) -> None:
    upload_last_year_peak(platform)  # touches 2024-07-15: a job, with no event to evaluate
    platform.sign_in(platform.grid_token)
    page = platform.client.get("/console/jobs")
    assert page.status_code == 200, page.text
    assert "后台任务" in page.text and "上传后评估" in page.text
    assert '<span class="badge job-done">已完成</span>' in page.text
    assert "无需评估的事件" in page.text and "评估在上传请求内完成" in page.text
    assert "广州供电局 调度员张工" in page.text  # who uploaded, by role and name
    assert 'href="/console/jobs"' in page.text  # in the staff's menu
    failed = platform.client.get("/console/jobs?status=failed")
    assert failed.status_code == 200 and "没有失败的后台任务" in failed.text
    assert platform.client.get("/console/jobs?status=bogus").status_code == 422
    platform.sign_in(platform.regulator_token)
    assert platform.client.get("/console/jobs").status_code == 200
    works = platform.enrol(power_user("越秀站", name="任务页的工厂"))
    platform.sign_in(platform.token(Role.POWER_USER, works["id"]))
    assert platform.client.get("/console/jobs").status_code == 403
